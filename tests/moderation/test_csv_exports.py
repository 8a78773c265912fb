"""Every CSV export (the Nota, the audit trail) opens correctly in Dutch Excel: `;` between cells,
UTF-8 with a byte-order mark, a cell holding the separator or a line break quoted, formula-safe."""

from partner_portal.core import audit
from partner_portal.extensions import db
from partner_portal.responses.models import ResponseState
from tests.csvread import dutch_excel_rows
from tests.responses import factories as rf

TRICKY = 'Parkeren; ook \'s avonds, € 1 per uur\nen "gratis" op zondag'


def test_the_nota_csv_opens_in_dutch_excel(client, world, login_as):
    r = rf.response(world.consultation, world.group, ResponseState.accepted, answered=True)
    r.positions[0].explanation = TRICKY
    r.answers[0].explanation = "=1+1"
    db.session.commit()
    login_as(world.moderator)
    data = client.get(f"/consultaties/{world.consultation.slug}/nota.csv").data
    header, *rows = dutch_excel_rows(data)
    assert header[:3] == ["consultatie", "sectorgroep", "reactie"]
    assert all(len(row) == len(header) for row in rows)
    first = dict(zip(header, rows[0], strict=True))
    assert first["toelichting"] == TRICKY and first["toelichting_gemeente"] == "'=1+1"
    assert '"' + TRICKY.replace('"', '""') + '"' in data.decode("utf-8-sig")


def test_the_audit_csv_opens_in_dutch_excel(client, world, login_as):
    audit.record(world.moderator, "test.tricky", object_type="thing", object_id=1, reason=TRICKY)
    audit.record(world.moderator, "test.formula", object_type="thing", object_id=2, reason="@SUM(A1)")
    db.session.commit()
    login_as(world.moderator)
    header, *rows = dutch_excel_rows(client.get("/beheer/audittrail.csv").data)
    assert all(len(row) == len(header) for row in rows)
    reasons = {row[header.index("action")]: row[header.index("reason")] for row in rows}
    assert reasons["test.tricky"] == TRICKY and reasons["test.formula"] == "'@SUM(A1)"
