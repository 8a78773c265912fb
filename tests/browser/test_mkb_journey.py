"""MKB Assen's working day in the browser (demo data), every page checked by axe-core and the Nu checker.

Staff read in the CRM's member file (a CSV written by Excel: `;` and Windows-1252) over a slow line,
choose the columns, see the preview with its errors, import the valid rows, then find the members
of retail that have not taken part yet, export that view, and remind one of them; a second
reminder the same day is refused.
"""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from partner_portal.auth.models import OrgRole
from partner_portal.extensions import db
from partner_portal.mkb.models import MemberReminder, MkbMember
from partner_portal.notifications.models import OutboxMessage
from partner_portal.partners.models import SectorGroup
from tests import factories
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


def _retail_shop_not_yet_taking_part() -> None:
    """A retail member on the platform, with an organisation admin, that has done nothing yet."""
    retail = db.session.scalar(sa.select(SectorGroup).where(SectorGroup.slug == "retail"))
    shop = factories.organisation(retail, name="Schoenmakerij Aan De Vaart", kvk="07700123", mkb=True)
    factories.user(shop, OrgRole.org_admin, email="eigenaar@schoenmakerij.example", name="Sanne Schoen")
    db.session.commit()


def _mails(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def test_mkb_staff_import_the_member_file_over_a_slow_line_then_find_and_remind_retail(page, tmp_path):
    _retail_shop_not_yet_taking_part()
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
    current = sa.select(sa.func.count()).select_from(MkbMember).where(MkbMember.ended_on.is_(None))
    assert db.session.scalar(current) == known + 6002  # every member of the file, none ended

    # The dashboard: retail members that have not taken part yet.
    page.get_by_role("link", name="MKB-dashboard").click()
    check_a11y(page)
    page.get_by_label("Sector", exact=True).select_option("retail")
    page.get_by_label("Actief", exact=True).select_option("nog-niet")
    page.get_by_role("button", name="Filteren").click()
    check_a11y(page)
    members = page.get_by_role("table", name="Leden en hun deelname")
    expect(members).to_contain_text("Schoenmakerij Aan De Vaart")
    expect(members).to_contain_text("Kaasspeciaalzaak Één")  # imported a minute ago, not on the platform
    expect(members).not_to_contain_text("Lunchroom De Brink")  # horeca

    # The filtered view as a workbook.
    with page.expect_download() as download:
        page.get_by_role("link", name="Deze selectie downloaden als Excel-bestand").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Schoenmakerij Aan De Vaart" in names and "Kaasspeciaalzaak Één" in names
    assert all(row[4] and "Retail" in row[4] for row in sheet.iter_rows(min_row=2, values_only=True))

    # A reminder to the shop, through the outbox; a second one the same day is refused.
    page.get_by_label("Herinnering aan Schoenmakerij Aan De Vaart").check()
    page.get_by_role("button", name="Herinnering sturen", exact=True).click()
    check_a11y(page)
    page.get_by_label("Onderwerp").fill("Doe mee met de binnenstad, Sanne")
    page.get_by_role("button", name="Herinnering sturen aan 1 lid").click()
    expect(page.get_by_text("Herinnering verstuurd aan 1 lid")).to_be_visible()
    check_a11y(page)
    [mail] = _mails("mkb_reminder")
    assert (
        mail.recipient_email == "eigenaar@schoenmakerij.example" and mail.subject == "Doe mee met de binnenstad, Sanne"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberReminder)) == 3  # two from the demo

    page.goto(page.url + "?sector=retail&status=nog-niet")
    page.get_by_label("Herinnering aan Schoenmakerij Aan De Vaart").check()
    page.get_by_role("button", name="Herinnering sturen", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Schoenmakerij Aan De Vaart kreeg op")
    check_a11y(page)
    assert len(_mails("mkb_reminder")) == 1
