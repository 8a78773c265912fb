"""The notification contract: every kind's templates render with exactly what its callers pass.

Each kind declares the context keys its templates need (notifications/kinds.py). The test
finds every notify() call and workflow row that queues a kind, runs the real operation behind
it, and renders the kind's templates in a strict environment with the values the caller
passed, so a key that is missing or misnamed fails here instead of going out as a blank.
"""

import ast
import pathlib
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from jinja2 import StrictUndefined, meta

from partner_portal.auth import links
from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.consultations import operations as consultation_ops
from partner_portal.consultations.models import Consultation
from partner_portal.extensions import db
from partner_portal.initiatives.models import InitiativeState
from partner_portal.notifications import operations as notification_ops
from partner_portal.notifications.kinds import EVERY_MAIL, KINDS
from partner_portal.notifications.models import OutboxMessage
from partner_portal.notifications.operations import set_preferences
from partner_portal.responses import operations as response_ops
from partner_portal.responses.models import ResponseState
from tests import factories
from tests.consultations import factories as cf
from tests.responses import factories as rf

# The contract is about templates and callers, not about the database: SQLite is enough.
sqlite_only = pytest.mark.sqlite_only

PACKAGE = pathlib.Path(__file__).resolve().parent.parent.parent / "partner_portal"
TEMPLATES = ("subject.txt", "txt", "html")


def _kind_literal(call: ast.Call) -> tuple[str | None, ast.expr | None]:
    """(kind, context) of a notify(...) call, or (None, None) when it is not one."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name != "notify" or not call.args or not isinstance(call.args[0], ast.Constant):
        return None, None
    context = next((k.value for k in call.keywords if k.arg == "context"), None)
    return call.args[0].value, context


def notify_sites() -> list[tuple[str, str, ast.expr | None]]:
    """(where, kind, context expression) for every notify("kind", ...) call and `notify="kind"` row."""
    sites = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(PACKAGE.parent))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            kind, context = _kind_literal(node)
            if kind is not None:
                sites.append((f"{where}:{node.lineno}", kind, context))
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg == "notify" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    sites.append((f"{where}:{node.lineno}", value.value, None))
    return sites


# How to make each kind happen through the code that really queues it: (app world) -> None.
def _invitation(w):
    links.send_invitation(factories.user(w.org, OrgRole.member, name="Nieuwe Collega"), actor=w.admin)


def _password_reset(w):
    links.send_reset_link(w.member)


def _submitted(w):
    response = rf.response(w.consultation, w.group, ResponseState.draft)
    db.session.flush()
    response_ops.submit_response(w.coordinator, response, version=response.version, publication="public")


def _step(name: str, reason: str) -> Callable:
    def run(w):
        response = rf.response(w.consultation, w.group, ResponseState.in_review)
        db.session.flush()
        response_ops.take_step(w.moderator, response, name, version=response.version, reason=reason)

    return run


def _nota(w):
    response_ops.publish_nota(w.moderator, w.consultation, despite_open_stage=True)


def _stage(w):
    consultation_ops.advance_stage(w.pm, w.consultation, version=w.consultation.version)


def _initiative(state):
    from tests.initiatives import factories as inf

    return inf.initiative(w_consultation(), factories.organisation(), state)


def w_consultation():
    return db.session.scalars(sa.select(Consultation)).first()


def _initiative_submitted(w):
    from partner_portal.initiatives import operations as initiative_ops

    initiative = _initiative(InitiativeState.draft)
    signatory = factories.user(initiative.lead_organisation, OrgRole.signatory)
    initiative_ops.submit(signatory, initiative, version=initiative.version)


def _initiative_invitation(w):
    from partner_portal.initiatives import operations as initiative_ops

    initiative = _initiative(InitiativeState.draft)
    invited = factories.organisation(name="Drents Museum")
    factories.user(invited, OrgRole.signatory, name="Daan Directeur")
    initiative_ops.invite(factories.user(initiative.lead_organisation), initiative, invited)


def _initiative_invitation_answered(w):
    from partner_portal.initiatives import operations as initiative_ops

    initiative = _initiative(InitiativeState.draft)
    factories.user(initiative.lead_organisation, OrgRole.member)
    invited = factories.organisation(name="Drents Museum")
    speaker = factories.user(invited, OrgRole.signatory, name="Daan Directeur")
    initiative_ops.invite(factories.user(initiative.lead_organisation), initiative, invited)
    initiative_ops.answer_invitation(speaker, initiative, accept=True)


def _initiative_changed(w):
    from partner_portal.initiatives import operations as initiative_ops

    initiative = _initiative(InitiativeState.in_review)
    factories.user(initiative.lead_organisation, OrgRole.member)
    initiative_ops.take_step(w.pm, initiative, "decline", version=initiative.version, reason="Past niet.")


def _initiative_update(w):
    from partner_portal.initiatives import operations as initiative_ops

    initiative = _initiative(InitiativeState.in_progress)
    factories.user(initiative.lead_organisation, OrgRole.member)
    author = factories.user(initiative.lead_organisation, OrgRole.member)
    initiative_ops.post_update(author, initiative, body="De eerste tegels liggen.", happened_on="2027-04-01")


def _commitment_world():
    from tests.commitments import factories as cof

    consultation = w_consultation()
    consultation.current_position = 3  # "Uitvoering" opens signing
    commitment = cof.commitment(consultation, cof.S.open, threshold_organisations=1)
    signer = factories.user(factories.organisation(), OrgRole.signatory, name="Daan Directeur")
    return commitment, signer


def _commitment_text_changed(w):
    from partner_portal.commitments import operations as commitment_ops
    from tests.commitments import factories as cof

    commitment, signer = _commitment_world()
    cof.signature(commitment, signer)
    form = {"title": commitment.title, "text": "Versie twee.", "threshold_organisations": "1"}
    form.update(allows_money="1", allows_hours="1", allows_in_kind="1")
    commitment_ops.save_commitment(w.pm, commitment, form, version=commitment.version)


def _commitment_binding(w):
    from partner_portal.commitments import operations as commitment_ops
    from tests.factories import PASSWORD

    commitment, signer = _commitment_world()
    commitment_ops.sign(
        signer, commitment, password=PASSWORD, version_hash=commitment.current_hash, signer_name="Daan", function="Dir"
    )


def _proposal(w):
    from partner_portal.commitments import operations as commitment_ops

    consultation = w_consultation()
    fields = {"title": "Terrassenafspraak", "text": "Samen één terrasbeleid.", "invited": "all"}
    return commitment_ops.create_commitment(w.coordinator, consultation, fields)


def _commitment_proposed(w):
    _proposal(w)


def _commitment_proposal_answered(w):
    from partner_portal.commitments import operations as commitment_ops

    commitment = _proposal(w)
    commitment_ops.take_step(w.moderator, commitment, "decline", version=commitment.version, reason="Past niet.")


def _sso_new_member(w):
    from partner_portal.sso import operations as sso_ops
    from partner_portal.sso.models import ProviderKind

    provider = sso_ops.add_provider(
        None,
        slug="eherkenning",
        name="eHerkenning",
        kind=ProviderKind.partner,
        issuer="http://localhost:9",
        client_id="portaal",
        client_secret="geheim",
    )
    login = sso_ops.Login(
        issuer="http://localhost:9",
        subject="eh-1",
        email="nieuw@brink.example",
        name="Nina Nieuw",
        claims={"kvk": w.org.kvk_number},
    )
    sso_ops.join_organisation(provider, login, w.org)


def _mkb_reminder(w):
    from partner_portal.mkb import operations as mkb_ops

    member = factories.mkb_member(w.org.kvk_number, name=w.org.name, sector=w.group, organisation=w.org)
    staff = factories.user(role=StaffRole.mkb_staff, name="Maarten van MKB Assen")
    mkb_ops.remind(staff, [member], subject="Doe mee", text="Wij nodigen u uit.\n\nMKB Assen")


TRIGGERS: dict[str, Callable] = {
    "mkb_reminder": _mkb_reminder,
    "sso_new_member": _sso_new_member,
    "commitment_text_changed": _commitment_text_changed,
    "commitment_binding": _commitment_binding,
    "commitment_proposed": _commitment_proposed,
    "commitment_proposal_answered": _commitment_proposal_answered,
    "initiative_submitted": _initiative_submitted,
    "initiative_invitation": _initiative_invitation,
    "initiative_invitation_answered": _initiative_invitation_answered,
    "initiative_changed": _initiative_changed,
    "initiative_update": _initiative_update,
    "invitation": _invitation,
    "password_reset": _password_reset,
    "response_submitted": _submitted,
    "changes_requested": _step("request_changes", "Vul het thema bereikbaarheid aan."),
    "response_accepted": _step("accept", "Dank voor de heldere reactie."),
    "response_rejected": _step("reject", "Buiten de reikwijdte van de visie."),
    "nota_published": _nota,
    "stage_changed": _stage,
}


@pytest.fixture
def world(app):
    class World:
        pass

    w = World()
    w.consultation = cf.consultation()
    w.group = factories.sector_group("horeca", "Horeca")
    w.org = factories.organisation(w.group, name="Grand Café De Brink")
    w.coordinator = factories.coordinator(w.group, w.org, name="Hanna Horeca")
    w.member = factories.user(w.org, OrgRole.member, name="Lars Lid")
    w.moderator = factories.user(role=StaffRole.moderator, name="Mark de Moderator")
    w.pm = factories.user(role=StaffRole.process_manager, name="Petra Proces")
    w.admin = factories.user(role=StaffRole.administrator, name="Anne Beheerder")
    factories.commit()
    return w


@pytest.fixture
def queued(monkeypatch):
    """Every notify() in the test, as (kind, values the templates get), recorded at the door of the outbox."""
    calls: list[tuple[str, dict]] = []
    real = notification_ops.queue_notifications

    def spy(kind, recipients, *, obj=None, actor=None, context=None):
        calls.append((kind, notification_ops.message_values(obj=obj, actor=actor, context=context)))
        return real(kind, recipients, obj=obj, actor=actor, context=context)

    monkeypatch.setattr(notification_ops, "queue_notifications", spy)
    return calls


def _strict_env(app):
    return app.jinja_env.overlay(undefined=StrictUndefined)


def _every_mail_values() -> dict:
    """What the outbox adds to every message, with the values a real mail has."""
    values = {
        "kind_label": "Soort",
        "recipient_name": "Lars Lid",
        "unsubscribe_url": "http://localhost/afmelden/x",
        "locale": "nl",
        "preferences_url": "http://localhost/meldingen",
    }
    assert set(values) | {"title", "url", "actor_name"} == set(EVERY_MAIL)
    return values


def test_every_notify_call_names_a_kind_and_every_kind_has_a_caller_here():
    kinds_in_code = {kind for _, kind, _ in notify_sites()}
    assert kinds_in_code <= set(KINDS), "notify() with a kind that kinds.py does not declare"
    assert set(KINDS) <= kinds_in_code, "a kind that nothing queues"
    assert set(TRIGGERS) == set(KINDS), "add a trigger to TRIGGERS for the new kind"


LITERAL_SITES = [
    (where, kind, context)
    for where, kind, context in notify_sites()
    if isinstance(context, ast.Dict) and all(key is not None for key in context.keys)
]


@pytest.mark.parametrize(("where", "kind", "context"), LITERAL_SITES, ids=[where for where, _, _ in LITERAL_SITES])
def test_a_literal_context_at_a_call_site_has_every_declared_key(where, kind, context):
    """Static check of each notify("kind", context={...}) call; workflow rows build theirs at run time
    and are covered by the rendering test."""
    passed = {key.value for key in context.keys if isinstance(key, ast.Constant)}
    derived = {"title", "url", "actor_name"}  # notify() takes these from the object and the actor
    assert set(KINDS[kind].context) - derived <= passed, where


@sqlite_only
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_renders_strictly_with_what_its_caller_passes(app, world, queued, kind):
    TRIGGERS[kind](world)
    db.session.flush()
    calls = [values for name, values in queued if name == kind]
    assert calls, f"the trigger for {kind} queued nothing"
    env = _strict_env(app)
    base = app.config["BASE_URL"].rstrip("/")
    for values in calls:
        assert set(KINDS[kind].context) <= set(values), f"{kind}: the caller does not pass every declared key"
        if "url" in KINDS[kind].context:
            assert values["url"] != base + "/", f"{kind}: links to the home page instead of its subject"
        for suffix in TEMPLATES:
            env.get_template(f"mail/{kind}.{suffix}").render({**_every_mail_values(), **values})


@sqlite_only
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_declared_context_is_what_the_templates_read(app, kind):
    """The contract in kinds.py is exact: no template reads an undeclared key, no declared key goes unread."""
    env = app.jinja_env
    read: set[str] = set()
    for suffix in TEMPLATES:
        source = env.loader.get_source(env, f"mail/{kind}.{suffix}")[0]
        read |= meta.find_undeclared_variables(env.parse(source))
    read -= set(env.globals) | {"_", "gettext", "ngettext"}
    declared = set(KINDS[kind].context)
    assert read - set(EVERY_MAIL) <= declared, f"{kind}: templates read keys the contract does not declare"
    assert declared - {"title", "url"} <= read, f"{kind}: the contract declares keys no template reads"


@sqlite_only
def test_a_missing_key_fails_the_strict_rendering(app):
    """The check itself: the stage mail without its stage is refused, not rendered blank."""
    env = _strict_env(app)
    with pytest.raises(Exception, match="stage"), app.test_request_context():
        env.get_template("mail/stage_changed.txt").render(
            {**_every_mail_values(), "title": "Binnenstad", "url": "http://localhost/c", "actor_name": ""}
        )


@sqlite_only
def test_the_stage_mail_names_the_new_stage_and_links_to_the_consultation(app, world):
    set_preferences(world.member, world.member, {"stage_changed": "immediate"})
    new = consultation_ops.advance_stage(world.pm, world.consultation, version=world.consultation.version)
    db.session.commit()
    message = db.session.scalar(sa.select(OutboxMessage).filter_by(user_id=world.member.id, kind="stage_changed"))
    link = app.config["BASE_URL"].rstrip("/") + f"/consultaties/{world.consultation.slug}"
    for body in (message.body_text, message.body_html):
        assert new.title in body
        assert link in body
