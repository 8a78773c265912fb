"""The engagement dashboard through the test client: every column from real rows, filters, search,
sorting, pagination, what does not count (drafts, withdrawn, revoked, ended members, non-members),
the exports, the old overview's redirect and the per-sector view with its weekly table."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.commitments.models import CommitmentState, PledgeKind, SignatureState
from partner_portal.core.models import utcnow
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.initiatives.models import CoInitiator, InitiativeState, InvitationState
from partner_portal.mkb import engagement
from partner_portal.mkb.models import MemberReminder
from partner_portal.responses.models import ResponseState
from tests import factories
from tests.access import log_in
from tests.commitments import factories as comf
from tests.consultations import factories as cf
from tests.initiatives import factories as inf
from tests.responses import factories as rf


@pytest.fixture
def w(app):
    w = SimpleNamespace()
    now = utcnow()
    w.consultation = cf.consultation(title="Binnenstad Assen", featured=True)  # its responses are shown
    w.other_consultation = cf.consultation(title="Tweede ronde")
    w.horeca = factories.sector_group("horeca", "Horeca")
    w.retail = factories.sector_group("retail", "Retail")
    w.cafe = factories.organisation(w.horeca, name="Grand Café De Brink", mkb=True)
    w.shop = factories.organisation(w.retail, name="Boekhandel Het Forum", mkb=True)
    w.bakery = factories.organisation(w.horeca, name="Bakkerij Bolk", mkb=True)  # only drafts and withdrawals
    w.outsider = factories.organisation(w.horeca, name="Hotel Niet Lid")  # not a member
    w.former = factories.organisation(w.retail, name="Oud Lid Mode", mkb=True)
    w.former.mkb_member.ended_on = now.date()
    w.unmatched = factories.mkb_member("01234567", name="Slagerij Nog Niet Online", sector=w.retail)
    w.cafe_person = factories.user(w.cafe, OrgRole.signatory, name="Carla Café")
    w.shop_person = factories.user(w.shop, OrgRole.signatory, name="Sam Shop")
    w.bakery_person = factories.user(w.bakery, OrgRole.signatory, name="Bart Bakker")
    w.outsider_person = factories.user(w.outsider, OrgRole.signatory, name="Otto Outsider")
    w.former_person = factories.user(w.former, OrgRole.signatory, name="Fien Former")
    w.mkb = factories.user(role=StaffRole.mkb_staff)
    w.moderator = factories.user(role=StaffRole.moderator)

    w.response = rf.response(w.consultation, w.horeca, ResponseState.accepted)
    w.retail_draft = rf.response(w.consultation, w.retail, ResponseState.draft, statement="GEHEIM CONCEPT")
    w.lead = inf.initiative(w.consultation, w.cafe, InitiativeState.adopted, title="Terrassen op de Brink")
    w.lead.co_initiators.append(CoInitiator(organisation=w.shop, state=InvitationState.accepted, answered_at=now))
    w.outsider_initiative = inf.initiative(w.consultation, w.outsider, InitiativeState.adopted, title="Hotelplein")
    w.draft_initiative = inf.initiative(w.consultation, w.bakery, InitiativeState.draft, title="GEHEIM PLAN")
    w.commitment = comf.commitment(w.consultation, title="Convenant Binnenstadsorganisatie")
    source = w.consultation.funding_sources[0]

    db.session.add_all(
        [
            Endorsement(formal_response=w.response, organisation=w.cafe, endorsed_at=now - timedelta(days=60)),
            Endorsement(initiative=w.outsider_initiative, organisation=w.cafe, endorsed_at=now - timedelta(days=2)),
            Endorsement(initiative=w.draft_initiative, organisation=w.bakery),  # a draft: does not count
            Endorsement(formal_response=w.response, organisation=w.bakery, withdrawn_at=now),  # withdrawn
            Endorsement(formal_response=w.response, organisation=w.outsider),  # not a member
            Endorsement(formal_response=w.response, organisation=w.former),  # no longer a member
        ]
    )
    comf.signature(
        w.commitment, w.cafe_person, pledge_kind=PledgeKind.money, pledge_cents=500_000, funding_source_id=source.id
    )
    comf.signature(w.commitment, w.shop_person, pledge_kind=PledgeKind.hours, pledge_hours=40)
    revoked = {"state": SignatureState.revoked, "revoked_at": now, "ended_reason": "Vergissing."}
    comf.signature(w.commitment, w.bakery_person, **revoked)
    db.session.add(MemberReminder(member=w.bakery.mkb_member, subject="Doe mee", text="Tekst", sent_at=now))
    factories.commit()
    return w


def get(app, w, url: str, user=None):
    client = app.test_client()
    log_in(client, user or w.mkb)
    return client.get(url)


def page_of(app, w, url: str = "/mkb/dashboard") -> str:
    response = get(app, w, url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def row_of(page: str, name: str) -> str:
    """The table row of the member called `name`."""
    start = page.index(f'<th scope="row">{name}')
    return page[page.rindex("<tr>", 0, start) : page.index("</tr>", start)]


def test_every_column_of_an_active_member(app, w):
    row = row_of(page_of(app, w), "Grand Café De Brink")
    assert f"KvK {w.cafe.kvk_number}" in row and f"lidnr. {w.cafe.mkb_member.member_number}" in row
    assert "<td>Grand Café De Brink</td>" in row  # its organisation on the portal
    assert "<td>Horeca</td>" in row
    assert f'Reactie: <a href="/reacties/{w.response.id}">Horeca: Binnenstad Assen</a>' in row
    assert f'Initiatief: <a href="/initiatieven/{w.outsider_initiative.id}" lang="nl">Hotelplein</a>' in row
    assert f'<a href="/convenanten/{w.commitment.id}" lang="nl">Convenant Binnenstadsorganisatie</a>' in row
    assert "€ 5.000 per jaar" in row
    assert f'Trekker: <a href="/initiatieven/{w.lead.id}" lang="nl">Terrassen op de Brink</a>' in row
    assert "Binnenstad Assen</span>: " in row and ">geaccepteerd</a>" in row  # the group's response
    assert utcnow().date().strftime("%Y") in row.split("<td>")[-2]  # last activity
    assert "Carla Café" not in row  # never a person's name


def test_co_initiator_hours_pledge_and_missing_group_response(app, w):
    row = row_of(page_of(app, w), "Boekhandel Het Forum")
    assert "Mede-initiatiefnemer: " in row and "Terrassen op de Brink" in row
    assert "40 uur per jaar" in row
    assert "nog niet ingediend" in row  # the retail group's response is a draft
    page = page_of(app, w)
    assert "GEHEIM CONCEPT" not in page and "GEHEIM PLAN" not in page


def test_drafts_withdrawals_and_revocations_do_not_count(app, w):
    page = page_of(app, w)
    row = row_of(page, "Bakkerij Bolk")
    assert "nog niet actief</td>" in row and "Reactie:" not in row and "Convenant" not in row
    assert utcnow().date().strftime("%Y") in row.split("<td>")[-1]  # its last reminder is shown
    names = [r.member.name for r in engagement.member_page(engagement.Filters(status=engagement.ACTIVE)).items]
    assert names == ["Boekhandel Het Forum", "Grand Café De Brink"]


def test_only_current_members_are_listed(app, w):
    page = page_of(app, w)
    assert "Hotel Niet Lid" not in page.split("<tbody>")[1].split("Initiatief:")[0]
    assert "Oud Lid Mode" not in page and "Fien Former" not in page and "Otto Outsider" not in page
    row = row_of(page, "Slagerij Nog Niet Online")
    assert "niet op het portaal" in row and "<td>Retail</td>" in row
    assert "4 leden gevonden" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=actief", ["Boekhandel Het Forum", "Grand Café De Brink"]),
        ("status=nog-niet", ["Bakkerij Bolk", "Slagerij Nog Niet Online"]),
        ("sector=retail", ["Boekhandel Het Forum", "Slagerij Nog Niet Online"]),
        ("sector=retail&status=nog-niet", ["Slagerij Nog Niet Online"]),
        ("q=01234", ["Slagerij Nog Niet Online"]),  # part of a KvK number with its leading 0
        ("q=brink", ["Grand Café De Brink"]),
        ("q=100%25", []),  # a LIKE wildcard is taken literally
        ("sorteer=naam&richting=af", ["Slagerij Nog Niet Online", "Grand Café De Brink", "Boekhandel Het Forum"]),
        ("sorteer=laatste-activiteit&richting=af", ["Boekhandel Het Forum", "Grand Café De Brink"]),  # it signed last
        ("sorteer=sector", ["Bakkerij Bolk", "Grand Café De Brink", "Boekhandel Het Forum"]),
        ("sorteer=sector&richting=af", ["Boekhandel Het Forum", "Slagerij Nog Niet Online", "Bakkerij Bolk"]),
        ("sorteer=kvk", ["Slagerij Nog Niet Online"]),  # 0... sorts first
    ],
)
def test_filters_search_and_sorting(app, w, query, expected):
    page = page_of(app, w, f"/mkb/dashboard?{query}")
    body = page.split("<tbody>")[1] if "<tbody>" in page else ""
    found = sorted((m for m in NAMES if f'<th scope="row">{m}' in body), key=lambda m: body.index(f">{m}"))
    assert found[: len(expected)] == expected


NAMES = ("Grand Café De Brink", "Boekhandel Het Forum", "Bakkerij Bolk", "Slagerij Nog Niet Online")


def test_last_activity_sorts_both_ways_with_inactive_members_last(app, w):
    up = engagement.member_page(engagement.Filters(sort="laatste-activiteit")).items
    down = engagement.member_page(engagement.Filters(sort="laatste-activiteit", direction="af")).items
    assert [r.is_active for r in up] == [r.is_active for r in down] == [True, True, False, False]
    assert [r.member.name for r in up[:2]] == [r.member.name for r in down[:2]][::-1]


def test_a_consultation_filter_narrows_the_activity(app, w):
    page = page_of(app, w, f"/mkb/dashboard?consultatie={w.other_consultation.slug}")
    assert "0 leden gevonden" not in page and "Reactie: <a" not in page
    active = page_of(app, w, f"/mkb/dashboard?consultatie={w.other_consultation.slug}&status=actief")
    assert "0 leden gevonden" in active


def test_pagination_keeps_the_filter(app, w, monkeypatch):
    monkeypatch.setattr(engagement, "PER_PAGE", 1)
    page = page_of(app, w, "/mkb/dashboard?sector=retail")
    assert "Pagina 1 van 2" in page and "page=2" in page and "sector=retail" in page.split('rel="next"')[1][:200]
    second = page_of(app, w, "/mkb/dashboard?sector=retail&page=2")
    assert "Pagina 2 van 2" in second and "Slagerij Nog Niet Online" in second
    beyond = page_of(app, w, "/mkb/dashboard?sector=retail&page=99")
    assert "Pagina 2 van 2" in beyond


@pytest.mark.parametrize(
    "query", ["sector=onbekend", "consultatie=bestaat-niet", "sorteer=kleur", "page=abc", "status=ooit", "richting=x"]
)
def test_bad_arguments_are_ignored_with_a_message(app, w, query):
    page = page_of(app, w, f"/mkb/dashboard?{query}")
    assert "4 leden gevonden" in page
    if not query.startswith(("page", "richting")):
        assert "utrecht-alert--info" in page


def test_the_csv_export_has_every_filtered_member(app, w):
    w.unmatched.name = '=HYPERLINK("http://evil.example";"klik")'
    db.session.commit()
    response = get(app, w, "/mkb/dashboard.csv?sector=retail")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert f"mkb-dashboard-{utcnow().date().isoformat()}.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:3] == ["Naam", "KvK-nummer", "Lidnummer"]
    by_kvk = {row[1]: row for row in rows[1:]}
    assert set(by_kvk) == {w.shop.kvk_number, "01234567"}
    assert by_kvk["01234567"][0].startswith("'=HYPERLINK")
    assert by_kvk["01234567"][3] == "niet op het portaal"
    shop = by_kvk[w.shop.kvk_number]
    assert "Convenant Binnenstadsorganisatie (40 uur per jaar)" in shop and "Terrassen op de Brink" in shop
    active = rows[0].index("Actief")
    assert shop[active] == "ja" and by_kvk["01234567"][active] == "nee"


def test_the_xlsx_export_reads_back(app, w):
    w.unmatched.name = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    response = get(app, w, "/mkb/dashboard.xlsx?status=nog-niet")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert f"mkb-dashboard-{utcnow().date().isoformat()}.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Naam"
    names = sorted(row[0] for row in rows[1:])
    assert names == ['\'=HYPERLINK("http://evil.example")', "Bakkerij Bolk"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    kvks = {row[1] for row in rows[1:]}
    assert "01234567" in kvks  # stays text with its leading 0


def test_links_to_the_exports_keep_the_filter(app, w):
    page = page_of(app, w, "/mkb/dashboard?sector=retail&status=nog-niet")
    assert "/mkb/dashboard.csv?sector=retail&amp;status=nog-niet" in page
    assert "/mkb/dashboard.xlsx?sector=retail&amp;status=nog-niet" in page


def test_the_old_overview_redirects_to_the_dashboard(app, w):
    response = get(app, w, "/mkb/onderschrijvingen")
    assert response.status_code == 301 and response.headers["Location"].endswith("/mkb/dashboard")
    assert get(app, w, "/mkb/onderschrijvingen", w.moderator).status_code == 403


def test_other_staff_get_403(app, w):
    for url in ("/mkb/dashboard", "/mkb/dashboard.csv", "/mkb/dashboard.xlsx", "/mkb/sectoren"):
        assert get(app, w, url, w.moderator).status_code == 403


def test_per_sector_numbers_with_the_last_30_days(app, w):
    rows, total = engagement.sector_numbers()
    by_name = {(r.sector.name if r.sector else None): r for r in rows}
    horeca, retail = by_name["Horeca"], by_name["Retail"]
    assert (horeca.members, horeca.active, horeca.active_recent) == (2, 1, 1)
    assert (retail.members, retail.active, retail.active_recent) == (2, 1, 1)
    assert (total.members, total.active, total.share_active) == (4, 2, 50)
    page = page_of(app, w, "/mkb/sectoren")
    assert '<td class="number">50%</td>' in page and "Zonder sector" not in page


def test_the_30_days_count_leaves_out_older_activity(app, w):
    later = utcnow() + timedelta(days=40)  # the café's endorsement of 2 days ago is now 42 days old
    rows, _total = engagement.sector_numbers(now=later)
    horeca = next(r for r in rows if r.sector and r.sector.slug == "horeca")
    # the café signed and leads today: 40 days before `later`, so nothing in the last 30 days
    assert (horeca.active, horeca.active_recent) == (1, 0)


def test_members_without_a_sector(app, w):
    factories.mkb_member("12345678", name="Zonder Sector BV")
    factories.commit()
    rows, total = engagement.sector_numbers()
    assert rows[-1].sector is None and rows[-1].members == 1 and total.members == 5
    assert "Zonder sector" in page_of(app, w, "/mkb/sectoren")


def test_the_weekly_table_counts_activities_per_week(app, w):
    weeks = engagement.weekly()
    assert len(weeks) == engagement.WEEKS and weeks[-1].start <= utcnow() < weeks[-1].start + timedelta(weeks=1)
    # this week: two signatures, the café's lead, the forum's co-initiative, maybe the endorsement of 2 days ago
    recent = weeks[-1].activities + weeks[-2].activities
    assert recent == 5  # 2 signatures, 1 lead, 1 co-initiative, 1 initiative endorsement
    eight_weeks_ago = [w_ for w_ in weeks if w_.start <= utcnow() - timedelta(days=60) < w_.start + timedelta(weeks=1)]
    assert eight_weeks_ago[0].activities == 1  # the response endorsement
    assert sum(x.activities for x in weeks) == 6
    page = page_of(app, w, "/mkb/sectoren")
    assert 'role="img"' in page and "Activiteit per week in cijfers" in page


def test_the_weekly_chart_per_consultation(app, w):
    assert sum(x.activities for x in engagement.weekly(w.other_consultation.id)) == 0
    page = page_of(app, w, f"/mkb/sectoren?consultatie={w.consultation.slug}")
    assert "(Binnenstad Assen)" in page
    assert "utrecht-alert--info" in page_of(app, w, "/mkb/sectoren?consultatie=bestaat-niet")


def test_a_member_that_only_endorsed_a_commitment_is_active_and_shows_it(app, w):
    florist = factories.organisation(w.retail, name="Bloemenhuis De Vaart", mkb=True)
    db.session.add(Endorsement(commitment=w.commitment, organisation=florist))
    draft = comf.commitment(w.consultation, CommitmentState.draft, title="GEHEIM CONVENANT")
    db.session.add(Endorsement(commitment=draft, organisation=w.bakery))  # a draft: does not count
    db.session.commit()
    row = row_of(page_of(app, w), "Bloemenhuis De Vaart")
    assert f'Convenant: <a href="/convenanten/{w.commitment.id}" lang="nl">Convenant Binnenstadsorganisatie</a>' in row
    assert "nog niet actief" not in row
    assert "GEHEIM CONVENANT" not in page_of(app, w)
    assert "nog niet actief</td>" in row_of(page_of(app, w), "Bakkerij Bolk")


def test_a_cell_shows_the_first_three_of_a_kind_and_counts_the_rest(app, w):
    for n in range(5):
        initiative = inf.initiative(w.consultation, w.outsider, InitiativeState.adopted, title=f"Plan {n}")
        db.session.add(Endorsement(initiative=initiative, organisation=w.shop))
    db.session.commit()
    row = row_of(page_of(app, w), "Boekhandel Het Forum")
    assert row.count("Initiatief: <a") == 3 and "en 2 meer" in row
