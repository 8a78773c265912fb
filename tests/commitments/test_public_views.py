"""The public pages of commitments: the list (drafts for the gemeente only), the commitment's page
(stale, joint and ended signatures, totals and threshold), a version with its diff, the PDFs, the
verification of receipt codes (found, superseded, not found, malformed, rate-limited) and who sees
a receipt."""

import subprocess

import pytest

from partner_portal.commitments import operations as ops
from partner_portal.commitments.models import PledgeKind, SignatureState
from partner_portal.extensions import db
from tests import factories
from tests.commitments import factories as cof
from tests.commitments.conftest import fields

SS = SignatureState


def _text(response) -> str:
    return response.get_data(as_text=True)


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def signed(world):
    """An open commitment (threshold five) signed by De Brink with money on version 1, then the text
    changed (version 2), signed by the museum with hours, and the joint organisation awaiting its
    second signature."""
    c = cof.commitment(world.consultation, cof.S.open, threshold_organisations=5)
    brink = cof.signature(
        c, world.signatory, pledge_kind=PledgeKind.money, pledge_cents=250_000, funding_source_id=world.fonds_source.id
    )
    db.session.commit()
    ops.save_commitment(
        world.pm,
        c,
        fields(
            world, text="De partners richten samen één organisatie op.\n\nNieuwe regel.", threshold_organisations="5"
        ),
        version=c.version,
    )
    db.session.commit()
    museum = cof.signature(c, world.museum_signatory, pledge_kind=PledgeKind.hours, pledge_hours=120)
    joint = cof.signature(c, world.joint_first, state=SS.pending_second)
    db.session.commit()
    return c, brink, museum, joint


def test_the_list_shows_public_commitments_and_drafts_only_to_the_gemeente(client, login_as, world):
    cof.commitment(world.consultation, cof.S.open, title="Open afspraak")
    cof.commitment(world.consultation, cof.S.draft, title="Geheim concept")
    db.session.commit()
    url = f"/consultaties/{world.consultation.slug}/convenanten"
    page = _text(client.get(url))
    assert "Open afspraak" in page and "Geheim concept" not in page
    login_as(world.pm)
    assert "Geheim concept" in _text(client.get(url))


def test_the_list_is_paged_newest_first_with_the_same_statements_whatever_its_length(client, world):
    from tests.querycount import count_queries

    url = f"/consultaties/{world.consultation.slug}/convenanten"
    cof.commitment(world.consultation, cof.S.open, title="Afspraak nummer 0")
    db.session.commit()
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for n in range(1, 25):
        cof.commitment(world.consultation, cof.S.open, title=f"Afspraak nummer {n}")
    db.session.commit()
    with count_queries() as large:
        first = _text(client.get(url))
    assert "Afspraak nummer 24" in first and "Afspraak nummer 4<" not in first and "Pagina 1 van 2" in first
    second = _text(client.get(url, query_string={"page": 2}))
    assert "Afspraak nummer 0" in second and "Afspraak nummer 24" not in second
    assert small.count == large.count


def test_a_draft_page_is_not_found_for_partners(client, login_as, world):
    c = cof.commitment(world.consultation, cof.S.draft)
    db.session.commit()
    assert client.get(f"/convenanten/{c.id}").status_code == 404
    login_as(world.signatory)
    assert client.get(f"/convenanten/{c.id}").status_code == 404


def test_the_page_shows_version_hash_signatories_stale_and_totals(client, world, signed):
    c = signed[0]
    page = _text(client.get(f"/convenanten/{c.id}"))
    assert c.current_hash in page and "Nieuwe regel." in page
    assert "ondertekend op versie 1 (eerdere tekst)" in page
    assert "wacht op tweede ondertekenaar" in page
    # Current version first: the museum before De Brink (stale).
    assert page.index("Drents Museum") < page.index("Grand Café De Brink")
    # Only the museum counts: 1 of 5 organisations, its 120 hours; the stale money does not count.
    assert "Drempel: 1 van 5 organisaties (20%)" in page and '<progress max="100" value="20"' in page
    assert "120 uur per jaar" in page
    assert f"/convenanten/{c.id}/versies/1" in page


def test_revoked_and_noticed_signatures_show_date_and_reason(client, world):
    c = cof.commitment(world.consultation, cof.S.binding)
    s = cof.signature(c, world.museum_signatory)
    s.state, s.noticed_at, s.ended_reason = SS.noticed, s.signed_at, "Wij stoppen met de vereniging."
    db.session.commit()
    page = _text(client.get(f"/convenanten/{c.id}"))
    assert "opgezegd op" in page and "Wij stoppen met de vereniging." in page


def test_a_version_shows_its_hash_and_the_diff(client, world, signed):
    c = signed[0]
    page = _text(client.get(f"/convenanten/{c.id}/versies/2"))
    assert c.versions[1].text_hash in page and "Toegevoegd:" in page and "Nieuwe regel." in page
    first = _text(client.get(f"/convenanten/{c.id}/versies/1"))
    assert c.versions[0].text_hash in first and "Eerste versie" in first
    assert client.get(f"/convenanten/{c.id}/versies/3").status_code == 404


def test_the_pdf_has_the_text_and_signatories(client, world, signed, tmp_path):
    c = signed[0]
    response = client.get(f"/convenanten/{c.id}/convenant.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = _pdf_text(response.data, tmp_path)
    assert "Nieuwe regel." in text and "Drents Museum" in text and c.current_hash in text.replace("\n", "")


def test_verification_found_and_current(client, world, signed):
    museum = signed[2]
    page = client.get(f"/verificatie?code={museum.verification_code.lower()}")
    assert page.status_code == 200
    assert "Drents Museum" in _text(page) and "Deze versie is de huidige tekst" in _text(page)
    assert museum.version_hash in _text(page)


def test_verification_of_an_earlier_version_says_it_is_no_longer_current(client, world, signed):
    brink = signed[1]
    page = _text(client.get(f"/verificatie?code={brink.verification_code}"))
    assert "niet meer de huidige" in page and "Grand Café De Brink" in page


def test_a_superseded_receipt_says_so(client, world, signed):
    c, brink = signed[0], signed[1]
    old_code = brink.verification_code
    ops.resign(world.signatory, brink, password=factories.PASSWORD, version_hash=c.current_hash)
    db.session.commit()
    page = _text(client.get(f"/verificatie?code={old_code}"))
    assert "vervangen op" in page


@pytest.mark.parametrize("code", ["0000-0000-0000-0000", "niet-een-code", "<script>"])
def test_unknown_or_malformed_codes_are_not_found(client, world, code):
    page = client.get("/verificatie", query_string={"code": code})
    assert page.status_code == 404 and "Niet gevonden" in _text(page)


def test_the_form_alone_is_fine(client, world):
    page = client.get("/verificatie")
    assert page.status_code == 200 and 'for="code"' in _text(page)


@pytest.mark.app_config(VERIFICATION_LIMIT="3 per minute")
def test_verification_is_rate_limited_per_address(client, world):
    for _ in range(3):
        assert client.get("/verificatie?code=0000-0000-0000-0000").status_code == 404
    refused = client.get("/verificatie?code=0000-0000-0000-0000")
    assert refused.status_code == 429 and "Te veel pogingen" in _text(refused)


def test_another_organisation_does_not_see_the_receipt(client, login_as, world, signed):
    c, museum = signed[0], signed[2]
    url = f"/convenanten/{c.id}/ondertekeningen/{museum.id}/bewijs"
    assert client.get(url).status_code == 302
    login_as(world.signatory)  # De Brink
    assert client.get(url).status_code == 403
    assert client.get(url + ".pdf").status_code == 403


def test_the_receipt_and_its_pdf_for_the_organisation(client, login_as, world, signed, tmp_path):
    c, museum = signed[0], signed[2]
    url = f"/convenanten/{c.id}/ondertekeningen/{museum.id}/bewijs"
    login_as(world.museum_signatory)
    page = _text(client.get(url))
    assert museum.verification_code in page
    pdf = client.get(url + ".pdf")
    assert pdf.data.startswith(b"%PDF")
    text = _pdf_text(pdf.data, tmp_path).replace("\n", "")
    assert museum.verification_code in text and f"http://localhost/verificatie?code={museum.verification_code}" in text


def test_the_gemeente_sees_any_receipt(client, login_as, world, signed):
    c, museum = signed[0], signed[2]
    login_as(world.moderator)
    assert client.get(f"/convenanten/{c.id}/ondertekeningen/{museum.id}/bewijs").status_code == 200


def test_the_organisation_page_lists_what_it_signed(client, login_as, world, signed):
    login_as(world.museum_signatory)
    page = _text(client.get(f"/organisaties/{world.museum.id}/mensen"))
    assert "Ondertekende convenanten" in page and signed[0].title in page


def test_the_totals_of_several_commitments_follow_the_counting_rules(world, signed):
    c = signed[0]
    empty = cof.commitment(world.consultation, cof.S.open, title="Leeg")
    db.session.commit()
    # Counted: the museum (hours, current version); the money of De Brink is on the earlier text
    # (stale), the joint organisation waits for its second signatory (pending).
    assert ops.totals_of([c.id, empty.id]) == {
        c.id: ops.Totals(organisations=1, cents_per_year=0, hours_per_year=120, stale=1, pending=1),
        empty.id: ops.Totals(0, 0, 0, 0, 0),
    }
