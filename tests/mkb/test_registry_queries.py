"""The registry's list runs a fixed number of statements however many members it holds."""

import pytest

from partner_portal.auth.models import StaffRole
from partner_portal.extensions import db
from tests import factories
from tests.access import log_in
from tests.querycount import count_queries

# The user, the members of the page, their count, the three tab counts (one statement), the last imports.
CEILING = 5


def _grow(n: int, group, start: int) -> None:
    for i in range(start, start + n):
        org = factories.organisation(group, name=f"Winkel {i:04d}", kvk=f"{20_000_000 + i:08d}") if i % 2 else None
        factories.mkb_member(f"{30_000_000 + i:08d}", name=f"Lid {i:04d}", sector=group, organisation=org)
    db.session.commit()


@pytest.mark.parametrize("url", ["/mkb/leden", "/mkb/leden?stand=niet-gekoppeld&q=lid"])
def test_the_member_list_has_a_fixed_query_count(app, client, url):
    group = factories.sector_group()
    log_in(client, factories.user(role=StaffRole.mkb_staff))
    _grow(10, group, 0)
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _grow(200, group, 10)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, f"{small.count} statements at 10 members, {large.count} at 210:\n{large}"
    assert large.count <= CEILING, f"{large.count} statements, ceiling {CEILING}:\n{large}"
