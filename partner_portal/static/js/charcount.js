/* Character counter for long texts (progressive enhancement).
 *
 * A <textarea maxlength> with data-charcount has a hint (aria-describedby, id ending in "-count")
 * that says the limit; without this script that hint stays as it is. With it, the hint shows how
 * many characters are left while typing, and a polite live region announces the count once the
 * typing pauses, so that screen-reader users hear it without being interrupted at every key.
 */
(function () {
  "use strict";

  var PAUSE_MS = 900;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
    });
  }

  function setUp(field) {
    var hint = document.getElementById(field.id + "-count");
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!hint || !max) {
      return;
    }
    var lang = document.documentElement.lang || "nl";
    var number = function (n) { return n.toLocaleString(lang); };
    var status = document.createElement("span");
    status.className = "visually-hidden";
    // A polite live region (not role=status: the page's status role is for its flash messages).
    status.setAttribute("aria-live", "polite");
    hint.parentNode.insertBefore(status, hint.nextSibling);
    var timer = null;

    function message() {
      var left = max - field.value.length;
      var template = left >= 0 ? field.dataset.charcount : field.dataset.charcountOver;
      return format(template, {left: number(Math.max(left, 0)), over: number(-left), max: number(max)});
    }

    function update() {
      var text = message();
      hint.textContent = text;
      hint.classList.toggle("char-count-near", max - field.value.length < max / 10);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { status.textContent = text; }, PAUSE_MS);
    }

    hint.textContent = message();
    field.addEventListener("input", update);
  }

  function start() {
    var fields = document.querySelectorAll("textarea[maxlength][data-charcount]");
    for (var i = 0; i < fields.length; i++) {
      setUp(fields[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
