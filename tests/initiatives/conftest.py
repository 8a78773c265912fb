"""A small world for initiatives: a consultation whose stage opens initiatives, three partner
organisations with their people (one archived), and the gemeente's staff."""

from types import SimpleNamespace

import pytest

from partner_portal.auth.models import OrgRole, StaffRole
from tests import factories
from tests.consultations import factories as cf


@pytest.fixture
def world(app):
    w = SimpleNamespace()
    w.consultation = cf.consultation()  # current stage "Reactie van partners" opens initiatives
    w.gemeente_source, w.fonds_source = w.consultation.funding_sources
    w.group = factories.sector_group("horeca", "Horeca")
    w.culture = factories.sector_group("cultuur", "Cultuur")
    w.lead = factories.organisation(w.group, name="Grand Café De Brink", mkb=True)
    w.co = factories.organisation(w.culture, name="Drents Museum")
    w.other = factories.organisation(w.group, name="Eetcafé Het Koopmanshuis")
    w.archived = factories.organisation(w.group, name="Oud Café", is_active=False)
    w.member = factories.user(w.lead, OrgRole.member, name="Lars Lid")
    w.signatory = factories.user(w.lead, OrgRole.signatory, name="Tamara Tekenbevoegd")
    w.co_member = factories.user(w.co, OrgRole.member, name="Mila Museum")
    w.co_signatory = factories.user(w.co, OrgRole.signatory, name="Daan Directeur")
    w.other_member = factories.user(w.other, OrgRole.member)
    w.other_signatory = factories.user(w.other, OrgRole.signatory)
    w.moderator = factories.user(role=StaffRole.moderator, name="Mark de Moderator")
    w.pm = factories.user(role=StaffRole.process_manager, name="Petra Procesmanager")
    w.mkb = factories.user(role=StaffRole.mkb_staff)
    w.admin = factories.user(role=StaffRole.administrator)
    factories.commit()
    return w


def fields(w, **overrides) -> dict[str, str]:
    """A complete draft form: 100.000 total, 50.000 asked of the gemeente, 50.000 own."""
    values = {
        "title": "Route Brink – Drents Museum",
        "summary": "Een wandelroute met horeca en cultuur.",
        "description": "Een **route** van de Brink naar het museum.",
        "expected_effect": "Meer bezoekers blijven langer.",
        "planned_start": "2027-03-01",
        "planned_end": "2027-12-31",
        "total_cost": "100.000",
        "own_contribution": "50.000",
        f"request_{w.gemeente_source.id}": "€ 50.000",
        f"request_{w.fonds_source.id}": "",
        "themes": str(w.consultation.themes[0].id),
        "locations": str(w.consultation.locations[1].id),
        "responses": "",
    }
    values.update(overrides)
    return values
