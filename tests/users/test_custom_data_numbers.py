"""Custom data with NaN, Infinity or a number that overflows to infinity (1e999) is refused at
validation with a clear message (400): PostgreSQL's jsonb cannot store them (it answered 503),
SQLite answered 500. One rule in users/profile_rules.py, for users and organizations."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError

from audit.models import Log
from tests.access.factories import OrganizationFactory
from users import profile_rules
from users.models import Organization

pytestmark = pytest.mark.django_db

NOT_FINITE = [
    '{"score": NaN}',
    '{"score": Infinity}',
    '{"score": -Infinity}',
    '{"score": 1e999}',
    '{"deep": {"list": [1, 2, -1e400]}}',
]
MESSAGE = "Custom data numbers must be finite"


@pytest.mark.parametrize("text", NOT_FINITE)
def test_the_rule_refuses_non_finite_numbers_in_json_text(text):
    with pytest.raises(ValidationError) as refused:
        profile_rules.clean_custom_data(text)
    assert refused.value.error_dict["custom_data"][0].code == "not_finite"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [1, {"x": float("-inf")}]])
def test_the_rule_refuses_non_finite_numbers_in_objects_the_api_sends(value):
    with pytest.raises(ValidationError, match=MESSAGE):
        profile_rules.clean_custom_data({"value": value})


def test_large_finite_numbers_are_kept():
    assert profile_rules.clean_custom_data('{"big": 1e308, "n": 12345678901234567890}') == {
        "big": 1e308,
        "n": 12345678901234567890,
    }


@pytest.mark.parametrize("text", NOT_FINITE)
def test_the_profile_form_refuses_them_with_a_400_and_saves_nothing(admin_client, subject, text):
    before = subject.updated_at
    response = admin_client.post(
        f"/console/users/{subject.id}/profile",
        {
            "profile-updated_at": subject.updated_at.isoformat(),
            "profile-name": subject.name,
            "profile-custom_data": text,
        },
        headers={"HX-Request": "true", "HX-Target": "profile-card"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert MESSAGE in response.content.decode()
    subject.refresh_from_db()
    assert subject.updated_at == before and subject.custom_data == {}
    assert not Log.objects.filter(key__endswith="User.Profile.Update").exists()


@pytest.mark.parametrize("text", NOT_FINITE)
def test_the_organization_form_refuses_them_with_a_400(admin_client, text):
    organization = OrganizationFactory(name="Acme", custom_data={"plan": "pro"})
    response = admin_client.post(
        f"/console/organizations/{organization.pk}/edit",
        {"name": "Acme", "custom_data": text},
        headers={"HX-Request": "true", "HX-Target": "dialog-slot"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert MESSAGE in response.content.decode()
    organization.refresh_from_db()
    assert organization.custom_data == {"plan": "pro"}


def test_creating_an_organization_with_nan_creates_nothing(admin_client):
    response = admin_client.post(
        "/console/organizations/new",
        {"name": "Acme", "custom_data": '{"x": NaN}'},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Organization.objects.exists()
