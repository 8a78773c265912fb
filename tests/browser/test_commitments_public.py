"""Commitments in the browser: the public list, a commitment with a stale signature, a version's
diff, the verification of a receipt code, and the receipt for the signing organisation.

The commitment is added to the demo data here; every page is checked by axe-core and the Nu HTML
checker at 390 px and 1280 px (see helpers.visit).
"""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.auth.models import User
from partner_portal.commitments.canonical import text_hash
from partner_portal.commitments.models import CommitmentVersion, PledgeKind
from partner_portal.consultations.models import Consultation
from partner_portal.extensions import db
from tests.browser.helpers import check_a11y, log_in, visit
from tests.commitments import factories as cof

pytestmark = pytest.mark.browser

ASSEN = "binnenstad-assen"


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.fixture
def commitment(live_server):
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == ASSEN))
    c = cof.commitment(
        consultation, cof.S.open, title="Proef: gezamenlijke binnenstadsorganisatie", threshold_organisations=5
    )
    stale = cof.signature(c, _user("retail@example.org"), pledge_kind=PledgeKind.hours, pledge_hours=40)
    text = cof.TEXT + "\n\nDe organisatie start op 1 januari."
    c.versions.append(CommitmentVersion(number=2, title=c.title, text=text, text_hash=text_hash(c.title, text)))
    c.text, c.current_version = text, 2
    db.session.flush()
    current = cof.signature(c, _user("horeca@example.org"), pledge_kind=PledgeKind.hours, pledge_hours=120)
    db.session.commit()
    ids = c.id, current.id, current.verification_code, stale.verification_code
    db.session.remove()
    return ids


def test_the_public_reads_a_commitment_its_versions_and_verifies_a_code(page, commitment):
    commitment_id, _signature_id, code, stale_code = commitment
    visit(page, f"/consultaties/{ASSEN}/convenanten")
    page.get_by_role("link", name="Proef: gezamenlijke binnenstadsorganisatie").click()
    check_a11y(page)
    expect(page.get_by_text("ondertekend op versie 1 (eerdere tekst)")).to_be_visible()
    expect(page.get_by_text("Drempel: 1 van 5 organisaties (20%)")).to_be_visible()
    page.get_by_role("link", name="Versie 2").click()
    check_a11y(page)
    expect(page.get_by_text("De organisatie start op 1 januari.").first).to_be_visible()
    visit(page, "/verificatie")
    page.get_by_label("Code (XXXX-XXXX-XXXX-XXXX)").fill(code)
    page.get_by_role("button", name="Controleren").click()
    check_a11y(page)
    expect(page.get_by_text("Deze versie is de huidige tekst van het convenant.")).to_be_visible()
    visit(page, f"/verificatie?code={stale_code}")
    expect(page.get_by_text("niet meer de huidige", exact=False)).to_be_visible()
    visit(page, "/verificatie?code=0000-0000-0000-0000")
    expect(page.get_by_role("heading", name="Niet gevonden")).to_be_visible()
    assert commitment_id


def test_the_signing_organisation_sees_its_receipt(page, commitment):
    commitment_id, signature_id, code, _stale = commitment
    log_in(page, "horeca@example.org")
    visit(page, f"/convenanten/{commitment_id}/ondertekeningen/{signature_id}/bewijs")
    expect(page.get_by_text(code)).to_be_visible()
