"""The execution programme in the browser (demo data): the public page with its chart and table, and the
process manager's bulk update through a CSV file (upload, preview, confirm).

Every page is checked by axe-core and the Nu HTML checker, at 390 px and 1280 px (see helpers.visit).
"""

import csv
import io

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.consultations.models import Consultation
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation
from tests.browser.helpers import check_a11y, log_in, visit
from tests.initiatives import factories as inf
from tests.initiatives.factories import S

pytestmark = pytest.mark.browser

ASSEN = "/consultaties/binnenstad-assen"
KOOPMANSKWARTIER = "Vernieuwing Koopmansplein tot Koopmanskwartier"


def test_the_public_sees_the_programme_with_its_money_chart_and_table(page):
    visit(page, f"{ASSEN}/uitvoeringsprogramma")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uitvoeringsprogramma")
    expect(page.get_by_role("link", name="Uitvoeringsprogramma")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("img", name="Geld per financieringsbron")).to_be_visible()
    money = page.get_by_role("table", name="Geld per financieringsbron in cijfers")
    expect(money).to_contain_text("€ 650.000")  # what the Koopmanskwartier spent of the first source
    expect(page.get_by_role("link", name="Aanpak leegstand Oudestraat")).to_have_count(0)  # a draft
    expect(page.get_by_role("link", name="Extra parkeerdek op garage Mercurius")).to_have_count(0)  # declined
    page.get_by_role("link", name=KOOPMANSKWARTIER).first.click()
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Koopmanskwartier")


def test_the_process_manager_updates_two_initiatives_from_a_csv_file(page, app, tmp_path):
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "binnenstad-assen"))
    lead = db.session.scalar(sa.select(Organisation).order_by(Organisation.id))
    second = inf.initiative(consultation, lead, S.in_progress, title="Bewegwijzering parkeergarages", milestones=2)
    db.session.commit()
    second_id = second.id
    log_in(page, "procesmanager@example.org")
    visit(page, f"{ASSEN}/uitvoeringsprogramma")
    page.get_by_role("link", name="Voortgang en uitgaven bijwerken uit een bestand").click()
    check_a11y(page)
    exported = page.request.get(f"{ASSEN}/uitvoeringsprogramma.csv")
    assert exported.ok
    rows = list(csv.reader(io.StringIO(exported.text().lstrip("\ufeff")), delimiter=";"))
    header = rows[0]
    done, first_spent = (
        header.index("mijlpalen afgerond"),
        header.index(next(h for h in header if h.startswith("uitgegeven"))),
    )
    for row in rows[1:]:
        if row[1] == KOOPMANSKWARTIER:
            row[done] = "3"
            row[first_spent] = "700.000"
        elif row[0] == str(second_id):
            row[done] = "1"
            row[first_spent] = "12.500,50"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    edited = tmp_path / "uitvoeringsprogramma.csv"
    edited.write_bytes(buffer.getvalue().encode("cp1252"))

    page.get_by_label("Bestand (CSV of Excel)").set_input_files(str(edited))
    page.get_by_role("button", name="Bestand controleren").click()
    check_a11y(page)
    expect(page.get_by_role("heading", name="4 wijzigingen")).to_be_visible()
    changes = page.get_by_role("table", name="Wijzigingen per initiatief")
    expect(changes).to_contain_text("€ 650.000")
    expect(changes).to_contain_text("€ 700.000")
    expect(changes).to_contain_text("€ 12.500,50")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    check_a11y(page)
    expect(page.get_by_text("Het uitvoeringsprogramma is bijgewerkt (2 initiatieven).")).to_be_visible()
    expect(page.get_by_role("table", name="Geld per financieringsbron in cijfers")).to_contain_text("€ 712.500,50")
    expect(page.get_by_text("50% (1 van 2 mijlpalen)").first).to_be_visible()
