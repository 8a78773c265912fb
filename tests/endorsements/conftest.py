"""The responses' world (a consultation, two groups, their people and staff) for endorsement tests."""

from tests.responses.conftest import world  # noqa: F401
