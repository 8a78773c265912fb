"""Access rules for one member (link by hand, unlink, invite) and the reminders: MKB staff and administrators."""

from tests.access import Rule, only

REGISTRY = ("mkb_staff", "administrator")


def _member(member) -> str:
    return f"/mkb/leden/{member.id}"


RULES = [
    Rule("mkb.member", lambda w: _member(w.member_a), only(*REGISTRY), name="matched"),
    Rule("mkb.member", lambda w: _member(w.member_unmatched), only(*REGISTRY), name="unmatched"),
    # Without form data: the link form says to type a KvK number or choose one (400).
    Rule(
        "mkb.link_member",
        lambda w: _member(w.member_unmatched) + "/koppelen",
        only(*REGISTRY, allowed=400),
        method="POST",
    ),
    # A CSRF-only confirmation (CSRF is off in the matrix): the link of member A is removed.
    Rule(
        "mkb.unlink_member", lambda w: _member(w.member_a) + "/ontkoppelen", only(*REGISTRY, allowed=302), method="POST"
    ),
    Rule("mkb.invite_member", lambda w: _member(w.member_unmatched) + "/uitnodigen", only(*REGISTRY)),
    Rule(
        "mkb.invite_member",
        lambda w: _member(w.member_unmatched) + "/uitnodigen",
        only(*REGISTRY, allowed=400),
        method="POST",
    ),
    # Without a selection the compose page says how to choose members; a POST without a text is refused.
    Rule("mkb.remind", lambda w: "/mkb/herinneringen", only(*REGISTRY)),
    Rule("mkb.remind", lambda w: "/mkb/herinneringen", only(*REGISTRY, allowed=400), method="POST"),
]
