"""The execution programme: the public page, the PDF, the CSV/XLSX export and the bulk update from the edited file."""

import csv
import html
import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from partner_portal.extensions import db
from partner_portal.initiatives import operations
from partner_portal.initiatives.models import Initiative
from tests import factories
from tests.conftest import csrf_token
from tests.initiatives import factories as inf
from tests.initiatives.factories import S
from tests.querycount import count_queries


def _programme(w):
    """Two initiatives in progress (one with 3 milestones, one with spending), one completed, one draft."""
    c = w.consultation
    w.one = inf.initiative(c, w.lead, S.in_progress, title="Vernieuwing Koopmansplein", milestones=3)
    w.one.milestones[0].done_on = date(2027, 1, 15)
    w.two = inf.initiative(
        c, w.co, S.adopted, title="Route Brink", requested={w.gemeente_source: 20_000, w.fonds_source: 30_000}
    )
    inf.spent(w.two, w.fonds_source, 1_000_050)
    w.done = inf.initiative(c, w.other, S.completed, title="Fietsenstalling")
    w.draft = inf.initiative(c, w.other, S.draft, title="Geheim concept")
    factories.commit()


def url(w, suffix=""):
    return f"/consultaties/{w.consultation.slug}/uitvoeringsprogramma{suffix}"


# The page -----------------------------------------------------------------------------------------


def test_the_page_lists_the_programme_per_pillar_and_theme_with_progress(client, world):
    _programme(world)
    response = client.get(url(world))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Comfortabele familiestad" in page and "De bereikbare binnenstad" in page
    assert "Vernieuwing Koopmansplein" in page and "Route Brink" in page and "Fietsenstalling" in page
    assert "Geheim concept" not in page
    assert f'href="/initiatieven/{world.one.id}"' in page
    assert "33% (1 van 3 mijlpalen)" in page
    assert 'role="img"' in page and "<table" in page
    assert 'href="/consultaties/binnenstad-test/uitvoeringsprogramma"' in page or "Uitvoeringsprogramma</a>" in page


def test_the_page_numbers_match_the_ledger(client, world):
    _programme(world)
    page = client.get(url(world)).get_data(as_text=True)
    granted = operations.granted_per_source(world.consultation.id)
    remaining = operations.remaining_per_source(world.consultation)
    from partner_portal.core.money import format_euros

    row = re.search(r"<tr><th scope=\"row\">2\. Binnenstadsfonds</th>(.*?)</tr>", page).group(1)
    cells = re.findall(r'<td class="number">(.*?)</td>', row)
    assert cells == [
        format_euros(3_000_000 * 100),
        format_euros(granted[world.fonds_source.id]),
        format_euros(1_000_050),
        format_euros(remaining[world.fonds_source.id]),
    ]
    assert cells[1] == "€ 30.000" and cells[2] == "€ 10.000,50" and cells[3] == "€ 2.970.000"


def test_the_page_has_a_fixed_query_count(app, world):
    client = app.test_client()
    c = world.consultation
    inf.initiative(c, world.lead, S.in_progress, title="Eerste", milestones=2)
    factories.commit()
    client.get(url(world))
    with count_queries() as small:
        assert client.get(url(world)).status_code == 200
    for n in range(4):
        i = inf.initiative(c, world.co, S.adopted, title=f"Nog een {n}", milestones=3)
        inf.spent(i, world.gemeente_source, 100)
    factories.commit()
    with count_queries() as large:
        assert client.get(url(world)).status_code == 200
    assert small.count == large.count <= 9, str(large)


def test_the_pdf_is_a_tagged_pdf(client, world):
    _programme(world)
    response = client.get(url(world, ".pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert "Route Brink" in "".join(p.extract_text() for p in reader.pages)


# The export ---------------------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_has_one_row_per_programme_initiative_with_money_per_source(client, world):
    _programme(world)
    response = client.get(url(world, ".csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _csv_rows(response)
    assert rows[0] == [
        "id",
        "titel",
        "status",
        "voortgang (%)",
        "mijlpalen afgerond",
        "mijlpalen totaal",
        "toegekend Gemeente",
        "uitgegeven Gemeente",
        "toegekend Binnenstadsfonds",
        "uitgegeven Binnenstadsfonds",
    ]
    by_id = {int(r[0]): r for r in rows[1:]}
    assert set(by_id) == {world.one.id, world.two.id, world.done.id}
    assert by_id[world.one.id][1:6] == ["Vernieuwing Koopmansplein", "in uitvoering", "33", "1", "3"]
    assert by_id[world.two.id][6:] == ["20000,00", "0,00", "30000,00", "10000,50"]


def test_the_xlsx_has_the_same_rows_with_amounts_as_numbers(client, world):
    _programme(world)
    response = client.get(url(world, ".xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "id" and rows[0][9] == "uitgegeven Binnenstadsfonds"
    two = next(r for r in rows[1:] if r[0] == world.two.id)
    assert two[1] == "Route Brink" and float(two[9]) == 10000.5 and float(two[6]) == 20000


# The bulk update ----------------------------------------------------------------------------------


def _upload(client, w, data: bytes, name: str):
    token = csrf_token(client, url(w, "/bijwerken"))
    return client.post(
        url(w, "/bijwerken"),
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, w, preview_html: str):
    plan = html.unescape(re.search(r'name="plan" type="hidden" value="([^"]*)"', preview_html).group(1))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', preview_html).group(1)
    return client.post(url(w, "/bevestigen"), data={"csrf_token": token, "plan": plan})


def _edited_csv(client, w, edit, *, delimiter=";", encoding="utf-8-sig") -> bytes:
    rows = _csv_rows(client.get(url(w, ".csv")))
    for row in rows[1:]:
        edit(int(row[0]), row)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def _two_changes(w):
    def edit(initiative_id, row):
        if initiative_id == w.one.id:
            row[4] = "2"  # milestones done: 1 -> 2
            row[7] = "1.250,5"  # spent of the gemeente
        elif initiative_id == w.two.id:
            row[9] = "15000"  # spent of the fonds

    return edit


def _check_two_changed(w):
    db.session.expire_all()
    one, two = db.session.get(Initiative, w.one.id), db.session.get(Initiative, w.two.id)
    assert one.milestones_done == 2 and one.progress == 67
    assert [m.done_on is not None for m in one.milestones] == [True, True, False]
    assert one.milestones[0].done_on == date(2027, 1, 15)
    assert one.spent_for(w.gemeente_source.id) == 125_050
    assert two.spent_for(w.fonds_source.id) == 1_500_000


def test_csv_round_trip_changes_two_initiatives(client, world, login_as):
    _programme(world)
    login_as(world.pm)
    data = _edited_csv(client, world, _two_changes(world))
    preview = _upload(client, world, data, "programma.csv")
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "3 wijzigingen" in page
    assert "mijlpalen afgerond" in page and "uitgegeven Gemeente" in page and "€ 1.250,50" in page
    assert "€ 10.000,50" in page and "€ 15.000" in page
    assert "Niet ingelezen" not in page
    db.session.expire_all()
    assert db.session.get(Initiative, world.two.id).spent_for(world.fonds_source.id) == 1_000_050  # nothing saved yet
    response = _confirm(client, world, page)
    assert response.status_code == 303
    _check_two_changed(world)
    from partner_portal.core.audit import AuditEvent

    assert db.session.query(AuditEvent).filter_by(action="initiative.bulk_update").count() == 2


def test_xlsx_round_trip_changes_two_initiatives(client, world, login_as):
    _programme(world)
    login_as(world.pm)
    workbook = load_workbook(io.BytesIO(client.get(url(world, ".xlsx")).data))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == world.one.id:
            row[4].value = 2
            row[7].value = 1250.5
        elif row[0].value == world.two.id:
            row[9].value = 15000
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = _upload(client, world, buffer.getvalue(), "programma.xlsx")
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert _confirm(client, world, preview.get_data(as_text=True)).status_code == 303
    _check_two_changed(world)


def test_a_windows_1252_file_with_commas_or_semicolons_is_read(client, world, login_as):
    _programme(world)
    world.two.title = "Café-route"
    factories.commit()
    login_as(world.pm)
    for delimiter, amount in ((";", "12.000"), (",", "12000")):

        def edit(initiative_id, row, amount=amount):
            if initiative_id == world.two.id:
                row[9] = amount

        data = _edited_csv(client, world, edit, delimiter=delimiter, encoding="cp1252")
        assert "Café".encode("cp1252") in data
        preview = _upload(client, world, data, "programma.csv")
        page = preview.get_data(as_text=True)
        assert preview.status_code == 200, page
        assert "1 wijziging" in page and "Café-route" in page and "€ 12.000" in page


def test_a_utf8_file_with_or_without_bom_is_read(client, world, login_as):
    _programme(world)
    login_as(world.pm)

    def edit(initiative_id, row):
        if initiative_id == world.one.id:
            row[4] = "3"

    for encoding in ("utf-8-sig", "utf-8"):
        data = _edited_csv(client, world, edit, encoding=encoding)
        assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
        page = _upload(client, world, data, "programma.csv").get_data(as_text=True)
        assert "1 wijziging" in page and "mijlpalen afgerond" in page


def test_row_errors_name_row_and_column_and_nothing_is_saved(client, world, login_as):
    _programme(world)
    other_consultation = factories_other(world)
    login_as(world.pm)

    def edit(initiative_id, row):
        if initiative_id == world.one.id:
            row[7] = "-5"  # negative
        elif initiative_id == world.two.id:
            row[9] = "12.5"  # the English way
            row[4] = "x"
        elif initiative_id == world.done.id:
            row[7] = "5"  # completed: no more updates

    rows = _csv_rows(client.get(url(world, ".csv")))
    for row in rows[1:]:
        edit(int(row[0]), row)
    blank = [""] * len(rows[0])
    rows.append(["999999", *blank[1:]])
    rows.append([str(world.draft.id), *blank[1:]])
    rows.append([str(other_consultation.id), *blank[1:]])
    rows.append(["abc", *blank[1:]])
    rows.append([str(world.one.id), *blank[1:]])
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    response = _upload(client, world, buffer.getvalue().encode("utf-8"), "programma.csv")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Wijzigingen opslaan" not in page
    errors = re.findall(r'<tr><td class="number">(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>', page)
    found = {(int(n), column) for n, column, _message in errors}
    line = {int(r[0]): n for n, r in enumerate(rows[1:4], start=2)}
    assert (line[world.one.id], "uitgegeven Gemeente") in found
    assert (line[world.two.id], "uitgegeven Binnenstadsfonds") in found
    assert (line[world.two.id], "mijlpalen afgerond") in found
    assert (line[world.done.id], "uitgegeven Gemeente") in found
    assert {(5, "id"), (6, "id"), (7, "id"), (8, "id"), (9, "id")} <= found
    messages = " ".join(html.unescape(m) for _n, _c, m in errors)
    assert "negatief" in messages and "komma" in messages and "meer dan één keer" in messages
    assert "niet in het uitvoeringsprogramma" in messages
    db.session.expire_all()
    assert db.session.get(Initiative, world.one.id).spent_for(world.gemeente_source.id) == 0
    assert db.session.get(Initiative, world.done.id).spent_for(world.gemeente_source.id) == 0


def factories_other(world):
    """An initiative in the programme of another consultation."""
    from tests.consultations import factories as cf

    other = cf.consultation()
    i = inf.initiative(other, world.lead, S.in_progress, title="Elders")
    factories.commit()
    return i


def test_a_file_without_id_column_or_not_a_spreadsheet_is_refused(client, world, login_as):
    _programme(world)
    login_as(world.pm)
    response = _upload(client, world, b"naam;bedrag\r\nx;1\r\n", "programma.csv")
    assert response.status_code == 400 and "De kolom" in response.get_data(as_text=True)
    response = _upload(client, world, b"PK\x03\x04rubbish", "programma.xlsx")
    assert response.status_code == 400 and "kan niet worden gelezen" in response.get_data(as_text=True)
    token = csrf_token(client, url(world, "/bijwerken"))
    response = client.post(url(world, "/bijwerken"), data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_stale_confirmation_is_refused_with_409_and_nothing_saved(client, world, login_as):
    _programme(world)
    login_as(world.pm)
    page = _upload(client, world, _edited_csv(client, world, _two_changes(world)), "p.csv").get_data(as_text=True)
    # Meanwhile the initiators report spending on the second initiative.
    two = db.session.get(Initiative, world.two.id)
    operations.report_spending(world.co_member, two, {world.gemeente_source.id: "100"})
    factories.commit()
    response = _confirm(client, world, page)
    assert response.status_code == 409
    db.session.expire_all()
    one = db.session.get(Initiative, world.one.id)
    assert one.milestones_done == 1 and one.spent_for(world.gemeente_source.id) == 0


def test_a_tampered_plan_is_refused(client, world, login_as):
    _programme(world)
    login_as(world.pm)
    page = _upload(client, world, _edited_csv(client, world, _two_changes(world)), "p.csv").get_data(as_text=True)
    tampered = page.replace('name="plan" type="hidden" value="', 'name="plan" type="hidden" value="x', 1)
    assert _confirm(client, world, tampered).status_code == 400


@pytest.mark.parametrize("who", ["signatory", "moderator", "member"])
def test_partners_and_moderators_may_not_update(client, world, login_as, who):
    _programme(world)
    login_as(getattr(world, who))
    assert client.get(url(world, "/bijwerken")).status_code == 403
    response = client.post(url(world, "/bevestigen"), data={"plan": "x"})
    assert response.status_code in (400, 403)  # 400: the CSRF check comes first
    db.session.expire_all()
    assert db.session.get(Initiative, world.two.id).spent_for(world.fonds_source.id) == 1_000_050


def test_check_bulk_update_refuses_a_partner(world):
    _programme(world)
    from partner_portal.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        operations.check_bulk_update(world.signatory, world.consultation, [["id"]])


def test_workbook_cells_are_read_as_typed_text(app):
    from partner_portal.core.tables import read_table

    workbook = Workbook()
    workbook.active.append(["id", "uitgegeven Gemeente"])
    workbook.active.append([12, 1250.5])
    workbook.active.append([13.0, 1000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table(buffer.getvalue(), "x.xlsx") == [["id", "uitgegeven Gemeente"], ["12", "1250,5"], ["13", "1000"]]


def test_an_edited_progress_is_said_to_be_not_read(client, world, login_as):
    _programme(world)
    login_as(world.pm)

    def edit(initiative_id, row):
        if initiative_id == world.one.id:
            row[3] = "80"  # progress: not read back
        elif initiative_id == world.two.id:
            row[9] = "15000"

    page = _upload(client, world, _edited_csv(client, world, edit), "p.csv").get_data(as_text=True)
    assert "1 wijziging" in page and "Niet ingelezen" in page
    assert "Regel 2, voortgang (%):" in page and "de voortgang wordt 33%" in page


def test_the_page_shows_the_latest_per_theme_and_links_to_the_rest(client, world, monkeypatch):
    """Thousands in the programme stay a readable page: the latest PER_THEME per theme, the count, a link."""
    from partner_portal.initiatives import programme

    monkeypatch.setattr(programme, "PER_THEME", 2)
    c = world.consultation
    for n in range(4):
        i = inf.initiative(c, world.lead, S.adopted, title=f"Opgenomen {n}")
        i.adopted_at = datetime(2027, 1, n + 1, tzinfo=UTC)
    factories.commit()
    page = client.get(f"/consultaties/{c.slug}/uitvoeringsprogramma").text
    assert "Opgenomen 3" in page and "Opgenomen 2" in page
    assert "Opgenomen 1" not in page and "Opgenomen 0" not in page
    assert "4 initiatieven in het programma" in page and "Alle initiatieven bij dit thema" in page
    assert f"thema={c.themes[0].id}" in page


def test_a_large_programme_s_pdf_shows_the_latest_and_says_where_the_rest_is(client, world, monkeypatch):
    """A report of thousands of initiatives is no document: the latest in detail, and it says so."""
    from pypdf import PdfReader

    from partner_portal.initiatives import programme

    monkeypatch.setattr(programme, "PDF_DETAILS", 2)
    monkeypatch.setattr(programme, "PDF_PER_THEME", 2)
    for n in range(4):
        i = inf.initiative(world.consultation, world.lead, S.adopted, title=f"Rapport {n}")
        i.adopted_at = datetime(2027, 2, n + 1, tzinfo=UTC)
    factories.commit()
    response = client.get(url(world, ".pdf"))
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "4 initiatieven in het programma" in text
    assert "Rapport 3" in text and "Rapport 2" in text and "Rapport 0" not in text
    assert "Alle initiatieven staan in het CSV- en Excel-bestand" in text
