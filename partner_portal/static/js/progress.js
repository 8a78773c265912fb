// Progress while a long form request runs (the member file's upload, check and import).
// A form with `data-progress` shows its `[data-progress-status]` box on submit. With a file to send,
// the form goes by XMLHttpRequest so the upload's progress can be shown; the answer then replaces
// the page (a redirect is followed). Without JavaScript the form posts as usual.
(function () {
  "use strict";
  function show(box, text, value) {
    box.hidden = false;
    var bar = box.querySelector("progress");
    var label = box.querySelector("#progress-text");
    if (value === null) { bar.removeAttribute("value"); } else { bar.value = value; }
    if (text) { label.textContent = text; }
  }
  function replacePage(xhr) {
    if (xhr.responseURL && xhr.responseURL !== window.location.href && xhr.status < 400) {
      window.location.assign(xhr.responseURL);
      return;
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-progress")) { return; }
    var box = form.querySelector("[data-progress-status]");
    if (!box) { return; }
    var working = box.querySelector("#progress-text").textContent;
    var buttons = form.querySelectorAll("button[type=submit]");
    var file = form.querySelector("input[type=file]");
    if (!file || !file.files || !file.files.length || !window.FormData) {
      show(box, working, null);
      // Disabled after this event so that the form still posts; a second click waits for the answer.
      window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
      return;
    }
    event.preventDefault();
    buttons.forEach(function (b) { b.disabled = true; });
    var uploading = box.querySelector("#progress-text").getAttribute("data-uploading");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        show(box, uploading.replace("{percent}", percent), percent);
        if (percent >= 100) { show(box, working, null); }
      }
    });
    xhr.addEventListener("load", function () { replacePage(xhr); });
    xhr.addEventListener("error", function () {
      buttons.forEach(function (b) { b.disabled = false; });
      box.hidden = true;
      form.submit();  // the network failed: let the browser post and show its own answer
    });
    show(box, uploading.replace("{percent}", "0"), 0);
    xhr.send(new FormData(form));
  });
})();
