"""The password policy: breached and common passwords, repetitions, and the site's own words."""

import time

import pytest

from partner_portal.auth import passwords

pytestmark = pytest.mark.sqlite_only

REFUSED_AS_COMMON = [
    "abcabcabcabc",
    "abcdefghijklm",
    "zyxwvutsrqpo",
    "123456789012",
    "qwertyuiopasdf",
    "1qaz2wsx3edc4rfv",
    "aaaaaaaaaaaaaaaa",
    "ababababababab",
    "wachtwoord123",
    "p@ssw0rd2026!!",
    "monkey12345678",
    "international",
    "iloveyou12345",
    "footballfootball",
]
REFUSED_AS_CONTEXT = [
    "assen2026assen",
    "Partnerportaal1",
    "binnenstad2026!!",
    "Assen-Binnenstad-2026",
    "HorecaDeBrink2026",
    "jan.jansen2026",
    "b1nn3nst@d2026",
]
ACCEPTED = [
    "een-lang-testwachtwoord",
    "mijn-nieuwe-zin-als-wachtwoord",
    "correct horse battery staple",
    "Binnenstad is mooi in de zomer",
    "Koopmansplein-fietsen-7",
]


def _problem(app, password):
    with app.test_request_context():
        return passwords.password_problem(password, "jan.jansen@example.org", ("Horeca De Brink BV", "Jan Jansen"))


@pytest.mark.parametrize("password", REFUSED_AS_COMMON)
def test_common_and_repetitive_passwords_are_refused(app, password):
    assert "te bekend of te eenvoudig" in (_problem(app, password) or "")


@pytest.mark.parametrize("password", REFUSED_AS_CONTEXT)
def test_passwords_that_lean_on_the_site_the_organisation_or_the_address_are_refused(app, password):
    assert "lijkt te veel op" in (_problem(app, password) or "")


@pytest.mark.parametrize("password", ACCEPTED)
def test_own_passphrases_are_accepted(app, password):
    assert _problem(app, password) is None


def test_the_list_is_large_loaded_once_and_fast(app):
    common = passwords.common_passwords()
    assert len(common) > 90_000
    assert passwords.common_passwords() is common
    assert {"123456", "password", "qwerty", "wachtwoord"} <= common
    started = time.perf_counter()
    for _ in range(200):
        _problem(app, "Een-eigen-zin-van-mij-2026")
    assert (time.perf_counter() - started) / 200 < 0.005
