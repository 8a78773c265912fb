"""Importing MKB Assen's member file through the pages: upload, columns, preview, confirm or cancel.

Every refusal shows a Dutch message and leaves the registry as it was.
"""

import io
import re
from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from partner_portal.mkb import registry
from partner_portal.mkb.models import ImportStatus, MemberImport, MkbMember
from tests import factories
from tests.access import log_in
from tests.conftest import csrf_token, post_form

HEADER = "KvK-nummer;Naam;Lidnummer;Sector;E-mail contactpersoon;Postcode;Lid sinds"
MAPPING = {
    "kvk_number": "0",
    "name": "1",
    "member_number": "2",
    "sector": "3",
    "contact_name": "",
    "contact_email": "4",
    "postcode": "5",
    "member_since": "6",
}


@pytest.fixture
def staff(login_as):
    factories.sector_group("retail", "Retail")
    factories.sector_group("horeca", "Horeca")
    user = factories.user(role=StaffRole.mkb_staff, email="mkb@example.org")
    db.session.commit()
    login_as(user)
    return user


def _csv(*rows: str, header: str = HEADER, encoding: str = "cp1252") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def upload(client, data: bytes, filename: str = "leden.csv"):
    """POST the file as a browser does. The body is built in memory: the test client would spool a
    large one to a temporary file that it never closes."""
    values = {
        "csrf_token": csrf_token(client, "/mkb/leden/importeren"),
        "file": FileStorage(io.BytesIO(data), filename),
    }
    boundary, body = encode_multipart(values)
    return client.post("/mkb/leden/importeren", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def staged() -> MemberImport:
    return db.session.scalars(sa.select(MemberImport).order_by(MemberImport.id.desc())).first()


def check(client, mapping=None):
    """Upload done: post the columns and return the preview page's text."""
    member_import = staged()
    url = f"/mkb/leden/importeren/{member_import.id}"
    response = post_form(client, url, mapping or MAPPING)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return _text(page)


def confirm(client, only_valid: bool = False):
    member_import = staged()
    data = {"only_valid": "y"} if only_valid else {}
    return post_form(
        client,
        f"/mkb/leden/importeren/{member_import.id}/bevestigen",
        data,
        form_url=f"/mkb/leden/importeren/{member_import.id}/controle",
    )


def _text(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def members() -> dict[str, MkbMember]:
    db.session.expire_all()
    return {m.kvk_number: m for m in db.session.scalars(sa.select(MkbMember))}


def snapshot() -> list[tuple]:
    db.session.expire_all()
    return [
        (m.kvk_number, m.name, m.member_number, m.contact_email, m.ended_on, m.version, m.organisation_id)
        for m in db.session.scalars(sa.select(MkbMember).order_by(MkbMember.kvk_number))
    ]


def test_a_windows_1252_semicolon_file_is_previewed_then_its_valid_rows_imported(client, staff):
    retail = db.session.scalar(sa.select(factories.SectorGroup).filter_by(slug="retail"))
    org = factories.organisation(retail, name="Boekhandel Van der Velde", kvk="01234567")
    db.session.commit()
    data = _csv(
        "01234567;Boekhandel Van der Velde;L-1;Retail;Info@Boekhandel.example;9401 ab;15-03-2019",
        "02345678;Café Één;L-2;horeca;;;",
        "1234567;Te kort;L-3;Retail;;;",
        "123456789;Te lang;L-4;Retail;;;",
        "02345678;Dubbel;L-5;Retail;;;",
        "03456789;Onbekende sector;L-6;Bakkerij;;;",
        '04567890;=HYPERLINK("https://example.org");L-7;Retail;;;',
    )
    response = upload(client, data)
    assert response.status_code == 303
    mapping_page = client.get(response.headers["Location"]).get_data(as_text=True)
    # The columns are guessed from their names.
    assert re.search(r'<select[^>]*name="kvk_number".*?<option selected value="0"', mapping_page, re.S)
    assert re.search(r'<select[^>]*name="contact_email".*?<option selected value="4"', mapping_page, re.S)
    assert "bijv. 01234567" in mapping_page  # a sample value with its leading zero
    page = check(client)
    assert "Nieuwe leden 2" in page
    assert "Rijen met een fout 5" in page
    assert "'1234567' heeft 7 cijfers; een KvK-nummer heeft er 8." in page
    assert "voorloopnul" in page
    assert "'123456789' heeft 9 cijfers" in page
    assert "KvK-nummer 02345678 staat ook in rij 3." in page
    assert "Onbekende sector 'Bakkerij'" in page
    assert "De cel bevat een formule" in page
    assert members() == {}  # the preview saved nothing

    refused = confirm(client)
    assert refused.status_code == 400
    assert "fouten in 5 rijen" in _text(refused)
    assert members() == {}

    done = confirm(client, only_valid=True)
    assert done.status_code == 303
    registry_now = members()
    assert set(registry_now) == {"01234567", "02345678"}
    first = registry_now["01234567"]
    assert (first.name, first.member_number, first.contact_email, first.postcode) == (
        "Boekhandel Van der Velde",
        "L-1",
        "info@boekhandel.example",
        "9401 AB",
    )
    assert first.member_since == date(2019, 3, 15)
    assert first.sector_group.slug == "retail"
    assert first.organisation_id == org.id  # matched by KvK number
    assert registry_now["02345678"].name == "Café Één"  # Windows-1252 read as such
    assert registry_now["02345678"].organisation_id is None
    assert staged().status == ImportStatus.imported
    assert staged().rows == []  # the contact data is kept once, in the registry
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="mkb_member.import"))
    assert event.details_dict["new"] == 2 and event.details_dict["skipped"] == 5


def test_utf8_with_bom_and_commas_and_an_xlsx_file_read_alike(client, staff):
    upload(client, "\ufeffKvK,Naam\n01234567,Bloemen Één\n".encode())
    page = check(client, {**dict.fromkeys(MAPPING, ""), "kvk_number": "0", "name": "1"})
    assert "Nieuwe leden 1" in page
    assert confirm(client).status_code == 303
    assert members()["01234567"].name == "Bloemen Één"

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["KvK-nummer", "Naam", "Lid sinds"])
    workbook.active.append(["01234567", "Bloemen Één", date(2020, 1, 31)])
    workbook.active.append(["02345678", "Fietsen Twee", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(client, buffer.getvalue(), "leden.xlsx")
    page = check(client, {**dict.fromkeys(MAPPING, ""), "kvk_number": "0", "name": "1", "member_since": "2"})
    assert "Nieuwe leden 1" in page and "Gewijzigd 1 (Lid sinds: 1)" in page
    assert confirm(client).status_code == 303
    assert members()["01234567"].member_since == date(2020, 1, 31)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(client, staff):
    data = _csv("01234567;Een;L-1;Retail;a@b.example;;", "02345678;Twee;L-2;;;;")
    upload(client, data)
    check(client)
    confirm(client)
    before = snapshot()
    upload(client, data)
    page = check(client)
    assert "Nieuwe leden 0" in page and "Gewijzigd 0" in page and "Ongewijzigd 2" in page
    assert confirm(client).status_code == 303
    assert snapshot() == before


def test_changes_endings_and_a_returning_member_are_counted_and_applied(client, staff):
    upload(client, _csv("01234567;Een;L-1;Retail;;;", "02345678;Twee;L-2;Retail;;;", "03456789;Drie;L-3;;;;"))
    check(client)
    confirm(client)
    upload(client, _csv("01234567;Een BV;L-1;Horeca;;;", "03456789;Drie;L-3;;;;"))
    page = check(client)
    assert "Gewijzigd 1 (Naam: 1, Sector: 1)" in page
    assert "Niet meer in het bestand (worden beëindigd) 1" in page
    assert "Twee (02345678)" in page  # named in the list of members to be ended
    confirm(client)
    now = members()
    assert now["01234567"].name == "Een BV" and now["01234567"].sector_group.slug == "horeca"
    assert now["02345678"].ended_on == date.today()  # ended, not deleted
    assert now["02345678"].name == "Twee"

    upload(client, _csv("01234567;Een BV;L-1;Horeca;;;", "02345678;Twee;L-2;Retail;;;", "03456789;Drie;L-3;;;;"))
    page = check(client)
    assert "Gewijzigd 1 (weer lid: 1)" in page, page[page.find("Controle:") :][:600]
    confirm(client)
    assert members()["02345678"].ended_on is None


def test_a_column_left_out_keeps_what_the_registry_knows(client, staff):
    upload(client, _csv("01234567;Een;L-1;Retail;a@b.example;9401 AB;01-01-2010"))
    check(client)
    confirm(client)
    upload(client, b"KvK;Naam\n01234567;Een\n")
    page = check(client, {**dict.fromkeys(MAPPING, ""), "kvk_number": "0", "name": "1"})
    assert "Ongewijzigd 1" in page
    confirm(client)
    member = members()["01234567"]
    assert (member.contact_email, member.postcode, member.member_since) == ("a@b.example", "9401 AB", date(2010, 1, 1))


def test_the_mapping_is_remembered_for_the_next_file_with_the_same_headers(client, staff):
    header = "Relatie;Bedrijf;Contact"
    upload(client, _csv("01234567;Een;Jan", header=header))
    check(client, {**dict.fromkeys(MAPPING, ""), "kvk_number": "0", "name": "1", "contact_name": "2"})
    upload(client, _csv("02345678;Twee;Piet", header=header))
    page = client.get(f"/mkb/leden/importeren/{staged().id}").get_data(as_text=True)
    assert re.search(r'name="kvk_number".*?<option selected value="0"', page, re.S)
    assert re.search(r'name="contact_name".*?<option selected value="2"', page, re.S)


def test_two_fields_on_one_column_and_no_kvk_column_are_refused(client, staff):
    upload(client, _csv("01234567;Een;L-1;Retail;;;"))
    url = f"/mkb/leden/importeren/{staged().id}"
    response = post_form(client, url, {**MAPPING, "member_number": "1"})
    assert response.status_code == 400
    assert "De kolom 'Naam' is al gekozen voor 'Naam'. Kies voor elk gegeven een eigen kolom." in _text(response)
    response = post_form(client, url, {**MAPPING, "kvk_number": ""})
    assert response.status_code == 400
    assert "Kies de kolom met het KvK-nummer" in _text(response)
    response = post_form(client, url, {**MAPPING, "name": "99"})
    assert response.status_code == 400  # not one of the file's columns
    assert staged().status == ImportStatus.uploaded
    assert members() == {}


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "leden.csv", "Het bestand is leeg."),
        (b"\r\n\r\n", "leden.csv", "Het bestand is leeg."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "leden.csv", "Dit bestand is geen CSV- of Excel-bestand."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "leden.xlsx", "Dit bestand is geen CSV- of Excel-bestand."),
        (b"PK\x03\x04 not really a workbook", "leden.xlsx", "Dit Excel-bestand kan niet worden gelezen."),
        (HEADER.encode(), "leden.csv", "Het bestand bevat alleen kolomnamen en geen leden."),
    ],
)
def test_files_that_are_no_member_list_are_refused(client, staff, data, filename, message):
    response = upload(client, data, filename)
    assert response.status_code == 400
    assert message in _text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberImport)) == 0


def test_a_file_over_10_mb_and_one_over_50000_rows_are_refused_with_the_limit_named(client, staff):
    big = HEADER.encode() + b"\r\n" + b"01234567;" + b"x" * (50 * 1024 * 1024)
    response = upload(client, big)
    assert response.status_code == 400
    assert "Het bestand is groter dan 10 MB; dat is het maximum." in _text(response)
    rows = b"".join(b"%08d;Lid\r\n" % n for n in range(200_000))
    response = upload(client, b"KvK;Naam\r\n" + rows)
    assert response.status_code == 400
    assert "Het bestand heeft meer dan 50.001 rijen" in _text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberImport)) == 0


def test_a_cancelled_file_changes_nothing_and_cannot_be_imported_after(client, staff):
    upload(client, _csv("01234567;Een;L-1;Retail;;;"))
    check(client)
    member_import = staged()
    response = post_form(
        client,
        f"/mkb/leden/importeren/{member_import.id}/annuleren",
        {},
        form_url=f"/mkb/leden/importeren/{member_import.id}/controle",
    )
    assert response.status_code == 303
    assert staged().status == ImportStatus.cancelled and staged().rows == []
    token_page = "/mkb/leden/importeren"
    response = post_form(client, f"/mkb/leden/importeren/{member_import.id}/bevestigen", {}, form_url=token_page)
    assert response.status_code == 409
    assert "Dit bestand is geannuleerd" in _text(response)
    assert members() == {}


def test_a_registry_changed_since_the_preview_asks_for_a_new_check(client, staff):
    upload(client, _csv("01234567;Een;L-1;Retail;;;"))
    check(client)
    factories.mkb_member("01234567", name="Intussen toegevoegd")
    db.session.commit()
    response = confirm(client)
    assert response.status_code == 409
    assert "Het ledenregister is gewijzigd sinds de controle." in _text(response)
    assert members()["01234567"].name == "Intussen toegevoegd"


def test_a_member_linked_by_hand_keeps_its_link_and_new_organisations_are_matched(client, staff):
    group = factories.sector_group()
    chosen = factories.organisation(group, name="Gekozen", kvk="09999999")
    same_kvk = factories.organisation(group, name="Zelfde KvK", kvk="02345678")
    factories.mkb_member("01234567", name="Met de hand", organisation=chosen, linked_by_hand=True)
    db.session.commit()
    upload(client, _csv("01234567;Met de hand;L-1;;;;", "02345678;Automatisch;L-2;;;;"))
    check(client)
    confirm(client)
    now = members()
    assert now["01234567"].organisation_id == chosen.id
    assert now["02345678"].organisation_id == same_kvk.id
    assert same_kvk.is_mkb_member


def test_each_import_erases_the_contact_data_of_members_ended_longer_ago_than_the_retention(client, staff, app):
    days = app.config["MKB_MEMBER_RETENTION_DAYS"]
    factories.mkb_member(
        "05555555",
        name="Lang geleden",
        contact_email="oud@lid.example",
        ended_on=date.today() - timedelta(days=days + 1),
    )
    factories.mkb_member(
        "06666666", name="Net weg", contact_email="net@weg.example", ended_on=date.today() - timedelta(days=days - 1)
    )
    db.session.commit()
    upload(client, _csv("01234567;Een;L-1;;;;"))
    check(client)
    confirm(client)
    now = members()
    assert (now["05555555"].name, now["05555555"].contact_email) == ("", "")
    assert now["05555555"].contact_erased_at is not None and now["05555555"].ended_on is not None
    assert now["06666666"].contact_email == "net@weg.example"


def test_partners_get_403_on_the_import(client):
    org = factories.organisation(mkb=True)
    log_in(client, factories.user(org, OrgRole.org_admin))
    db.session.commit()
    assert client.get("/mkb/leden/importeren").status_code == 403
    assert client.get("/mkb/leden").status_code == 403


def test_a_10000_row_file_is_checked_and_imported_in_one_go(staff):
    rows = "\r\n".join(f"{n:08d};Lid {n};L-{n};Retail;lid{n}@example.org;9401 AB;01-01-2015" for n in range(10_000))
    member_import = registry.upload(staff, (HEADER + "\r\n" + rows).encode("cp1252"), "groot.csv")
    plan = registry.preview(staff, member_import, {k: (int(v) if v else None) for k, v in MAPPING.items()})
    assert len(plan.new) == 10_000 and not plan.errors
    result = registry.confirm(staff, member_import)
    assert result["new"] == 10_000
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MkbMember)) == 10_000
