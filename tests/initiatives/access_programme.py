"""Access rules: programme (partner_portal/initiatives/programme.py).

The page and its PDF, CSV and XLSX are public in a public consultation; a draft consultation's
are for the gemeente's staff who may see the consultation (moderators too). The bulk update is the process manager's
(and the administrator's, who holds every gemeente role).
"""

from tests.access import ROLES, Rule, only

P = "/consultaties/binnenstad-test/uitvoeringsprogramma"
DRAFT = "/consultaties/concept-test/uitvoeringsprogramma"
MANAGERS = ("process_manager", "administrator")
DRAFT_READERS = ("moderator", *MANAGERS)

RULES = [
    Rule("initiatives.programme_page", lambda w: P),
    Rule("initiatives.programme_pdf", lambda w: f"{P}.pdf"),
    Rule("initiatives.programme_csv", lambda w: f"{P}.csv"),
    Rule("initiatives.programme_xlsx", lambda w: f"{P}.xlsx"),
    Rule(
        "initiatives.programme_page",
        lambda w: DRAFT,
        {**dict.fromkeys(ROLES, 404), **dict.fromkeys(DRAFT_READERS, 200)},
        name="draft consultation",
    ),
    Rule(
        "initiatives.programme_csv",
        lambda w: f"{DRAFT}.csv",
        {**dict.fromkeys(ROLES, 404), **dict.fromkeys(DRAFT_READERS, 200)},
        name="draft consultation",
    ),
    Rule("initiatives.programme_upload", lambda w: f"{P}/bijwerken", only(*MANAGERS)),
    # Without a file (POST rules carry no form data): the form's own answer, 400.
    Rule("initiatives.programme_upload", lambda w: f"{P}/bijwerken", only(*MANAGERS, allowed=400), method="POST"),
    # Without the checked plan: refused as unreadable, 400; nothing is saved.
    Rule("initiatives.programme_confirm", lambda w: f"{P}/bevestigen", only(*MANAGERS, allowed=400), method="POST"),
]
