"""The custom-data facet: `key=value` (a string, or the number/boolean it spells) and `key`
(the key exists), nested keys with dots."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from users.filters import matching_users

pytestmark = pytest.mark.django_db


def ids(data):
    return set(matching_users({"data": data}).values_list("pk", flat=True))


@pytest.fixture
def people(db):
    return {
        "pro": UserFactory(custom_data={"plan": "pro", "seats": 3}),
        "free": UserFactory(custom_data={"plan": "free", "beta": True}),
        "nested": UserFactory(custom_data={"billing": {"plan": "pro", "country": "FR"}}),
        "text_three": UserFactory(custom_data={"seats": "3"}),
        "empty": UserFactory(custom_data={}),
        "null": UserFactory(custom_data={"plan": None}),
    }


def test_key_equals_a_string_value(people):
    assert ids("plan=pro") == {people["pro"].pk}
    assert ids("plan = free") == {people["free"].pk}


def test_a_number_matches_the_number_and_the_string(people):
    assert ids("seats=3") == {people["pro"].pk, people["text_three"].pk}


def test_a_boolean_value(people):
    assert ids("beta=true") == {people["free"].pk}


def test_nested_keys_with_dots(people):
    assert ids("billing.plan=pro") == {people["nested"].pk}
    assert ids("billing.country") == {people["nested"].pk}


def test_key_exists_includes_a_null_value(people):
    assert ids("plan") == {people["pro"].pk, people["free"].pk, people["null"].pk}


def test_an_empty_value_matches_an_empty_string():
    blank = UserFactory(custom_data={"note": ""})
    UserFactory(custom_data={"note": "x"})
    assert ids("note=") == {blank.pk}


def test_keys_named_like_lookups_are_just_keys():
    user = UserFactory(custom_data={"contains": "x", "exact": {"isnull": 1}})
    assert ids("contains=x") == {user.pk}
    assert ids("exact.isnull=1") == {user.pk}


@pytest.mark.parametrize(
    "data", ["=pro", "pl an=pro", "a..b", "'; drop table users_user; --", "a" * 65, "k=\x00"]
)
def test_a_malformed_key_is_a_validation_error(data):
    with pytest.raises(ValidationError) as raised:
        matching_users({"data": data})
    assert "data" in raised.value.error_dict
