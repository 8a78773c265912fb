"""Access rules of the registry's pages (partner_portal/mkb/views.py): the member list and the import.

Only MKB staff and administrators; the world's import is staged (columns not chosen yet), so its
check page sends them to the columns and confirming it is refused until it is checked."""

from tests.access import Rule, only

STAFF = ("mkb_staff", "administrator")


def _import(w, suffix: str = "") -> str:
    return f"/mkb/leden/importeren/{w.member_import.id}{suffix}"


RULES = [
    Rule("mkb.members_list", lambda w: "/mkb/leden", only(*STAFF)),
    Rule("mkb.import_upload", lambda w: "/mkb/leden/importeren", only(*STAFF)),
    Rule("mkb.import_upload", lambda w: "/mkb/leden/importeren", only(*STAFF, allowed=400), method="POST"),
    Rule("mkb.import_mapping", _import, only(*STAFF)),
    Rule("mkb.import_mapping", _import, only(*STAFF, allowed=400), method="POST"),
    Rule("mkb.import_preview", lambda w: _import(w, "/controle"), only(*STAFF, allowed=303)),
    Rule("mkb.import_confirm", lambda w: _import(w, "/bevestigen"), only(*STAFF, allowed=400), method="POST"),
    Rule("mkb.import_cancel", lambda w: _import(w, "/annuleren"), only(*STAFF, allowed=303), method="POST"),
]
