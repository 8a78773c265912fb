"""Views for the own profile: partial input gives a page, never a 500."""

from tests import factories
from tests.conftest import post_form


def test_profile_without_the_optional_function_field_keeps_it(app, client, login_as):
    person = factories.user(function_title="Oud")
    factories.commit()
    login_as(person)
    response = post_form(
        client, "/profiel", {"profile-name": "Nieuwe Naam", "profile-locale": "nl", "profile-submit": "1"}
    )
    assert response.status_code == 302
    factories.db.session.refresh(person)
    assert person.name == "Nieuwe Naam" and person.function_title == "Oud"  # a field not sent stays as it was
