"""Moderation tests use the same small world as the formal-response tests."""

from tests.responses.conftest import world  # noqa: F401  (the fixture)
