"""Core tests that need a whole small world (the page cache of the moderation queue) borrow the responses one."""

from tests.responses.conftest import world  # noqa: F401  (the fixture)
