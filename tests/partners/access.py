"""Access rules for the partner registry: administrators manage everything, org admins their people."""

from tests.access import Rule, only

ADMIN = only("administrator")
# Own organisation's people page: members see it, only the org admin (and administrator) manage.
OWN_PEOPLE = {**only("member", "signatory", "org_admin", "coordinator", "administrator", others=404)}
OTHER_PEOPLE = {**only("administrator", others=404)}

RULES = [
    Rule("partners.sector_groups", lambda w: "/beheer/sectorgroepen", ADMIN),
    Rule("partners.edit_sector_group", lambda w: f"/beheer/sectorgroepen/{w.group_a.id}", ADMIN),
    Rule(
        "partners.edit_sector_group",
        lambda w: f"/beheer/sectorgroepen/{w.group_a.id}",
        only("administrator", allowed=302),
        method="POST",
    ),
    Rule("partners.organisations", lambda w: "/beheer/organisaties", ADMIN),
    Rule("partners.new_organisation", lambda w: "/beheer/organisaties/nieuw", ADMIN),
    Rule("partners.new_organisation", lambda w: "/beheer/organisaties/nieuw", ADMIN, method="POST"),
    Rule("partners.organisation", lambda w: f"/beheer/organisaties/{w.org_b.id}", ADMIN),
    Rule("partners.organisation", lambda w: f"/beheer/organisaties/{w.org_b.id}", ADMIN, method="POST"),
    Rule(
        "partners.archive_organisation",
        lambda w: f"/beheer/organisaties/{w.org_b.id}/archiveren",
        only("administrator", allowed=302),
        method="POST",
    ),
    Rule(
        "partners.own_organisation",
        lambda w: "/organisatie",
        {"anonymous": 302, **dict.fromkeys(("member", "signatory", "org_admin", "coordinator"), 302)},
        default=404,
    ),
    Rule("partners.people", lambda w: f"/organisaties/{w.org_a.id}/mensen", OWN_PEOPLE, name="own"),
    Rule("partners.people", lambda w: f"/organisaties/{w.org_b.id}/mensen", OTHER_PEOPLE, name="other"),
    # Posting the invite form: only managers may; members of A get 403, strangers 404.
    Rule(
        "partners.people",
        lambda w: f"/organisaties/{w.org_a.id}/mensen",
        {**only("org_admin", "administrator", others=404), "member": 403, "signatory": 403, "coordinator": 200},
        method="POST",
        name="own",
    ),
    Rule("partners.users", lambda w: "/beheer/gebruikers", ADMIN),
    Rule("partners.invite_staff", lambda w: "/beheer/medewerkers/uitnodigen", ADMIN),
    Rule("partners.invite_staff", lambda w: "/beheer/medewerkers/uitnodigen", ADMIN, method="POST"),
    Rule(
        "partners.person",
        lambda w: f"/mensen/{w.invited_a.id}",
        {
            **only("org_admin", "coordinator", "administrator", others=403),
            "moderator": 404,
            "process_manager": 404,
            "mkb_staff": 404,
        },
        name="own org",
    ),
    Rule("partners.person", lambda w: f"/mensen/{w.member_b.id}", only("administrator", others=404), name="other org"),
    # An empty POST keeps the role as it is and redirects.
    Rule(
        "partners.person",
        lambda w: f"/mensen/{w.member_b.id}",
        only("administrator", allowed=302, others=404),
        method="POST",
        name="other org",
    ),
    Rule(
        "partners.person_status",
        lambda w: f"/mensen/{w.member_b.id}/status",
        only("administrator", allowed=302, others=404),
        method="POST",
    ),
    Rule(
        "partners.resend_invitation",
        lambda w: f"/mensen/{w.invited_a.id}/uitnodiging",
        {
            **only("org_admin", "coordinator", "administrator", others=403),
            "moderator": 404,
            "process_manager": 404,
            "mkb_staff": 404,
        },
        method="POST",
    ),
]
