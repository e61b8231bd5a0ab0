"""Both ways to create a user (the console's create_user, the API's create_user_with_details)
write one `Console.User.Create` row with the same identifier fields, and their own extras."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import Log
from audit.recorder import Origin
from users import services

pytestmark = pytest.mark.django_db

ORIGIN = Origin(channel="Console", actor_label="test", ip="127.0.0.1", user_agent="pytest")
SHARED = {"username", "primaryEmail", "primaryPhone", "name", "hasPassword"}


def created_row(user) -> dict:
    (log,) = Log.objects.filter(key="Console.User.Create", user=user)
    return log.payload


def test_the_console_row_has_the_identifiers_and_the_staff_flags():
    created = services.create_user(origin=ORIGIN, username="ann_lee", name="Ann", generate=True)
    payload = created_row(created.user)
    assert set(payload) == SHARED | {"isStaff", "isSuperuser"}
    assert payload["username"] == "ann_lee" and payload["hasPassword"] is True
    assert created.password not in str(payload)


def test_the_api_row_has_the_identifiers_and_the_password_algorithm():
    user = services.create_user_with_details(
        origin=ORIGIN, primary_email="bo@example.com", name="Bo"
    )
    payload = created_row(user)
    assert set(payload) == SHARED | {"passwordAlgorithm"}
    assert payload["primaryEmail"] == "bo@example.com" and payload["hasPassword"] is False


def test_a_taken_identifier_is_refused_the_same_way_by_both():
    services.create_user(origin=ORIGIN, username="taken")
    for create in (services.create_user, services.create_user_with_details):
        with pytest.raises(ValidationError) as error:
            create(origin=ORIGIN, username="TAKEN")
        assert "username" in error.value.error_dict
