"""`matching_users(params)`: the contract bulk actions and export rely on. Keywords and every
facet from the same URL parameters as the table, unordered; a bad parameter raises."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from users.filters import facet_queryset, matching_users, parse
from users.search import search_users

pytestmark = pytest.mark.django_db


def test_keywords_and_facets_combine():
    match = UserFactory(name="Ann Lee", is_suspended=True)
    UserFactory(name="Ann Other")
    UserFactory(name="Bob Lee", is_suspended=True)
    params = {"search": "ann", "status": "suspended"}
    assert list(matching_users(params).values_list("pk", flat=True)) == [match.pk]


def test_it_selects_what_the_table_shows_for_the_same_url():
    for i in range(6):
        UserFactory(name=f"Ann {i}", is_suspended=i % 2 == 0, custom_data={"n": i})
    UserFactory(name="Bob", is_suspended=True)
    params = {"search": "ann", "status": "suspended", "data": "n"}
    cleaned = parse(params)
    table = search_users("ann", page_size=100, queryset=facet_queryset(cleaned))
    assert {u.pk for u in table.users} == set(matching_users(params).values_list("pk", flat=True))
    assert table.total == 3


def test_it_is_unordered_so_callers_can_count_and_batch_cheaply():
    UserFactory.create_batch(2)
    assert not matching_users({}).ordered
    assert not matching_users({"search": "user", "sort": "-name"}).ordered


def test_no_parameters_selects_everyone():
    users = UserFactory.create_batch(3)
    assert set(matching_users({}).values_list("pk", flat=True)) == {u.pk for u in users}


def test_a_querydict_with_unknown_parameters_is_fine():
    from django.http import QueryDict

    user = UserFactory(is_suspended=True)
    params = QueryDict("status=suspended&page=3&page_size=50&whatever=1")
    assert list(matching_users(params).values_list("pk", flat=True)) == [user.pk]


@pytest.mark.parametrize(
    "params",
    [{"status": "invited"}, {"mfa": "maybe"}, {"search": "x" * 201}, {"social": "a b"}],
)
def test_a_bad_parameter_raises_validation_error_naming_it(params):
    with pytest.raises(ValidationError) as raised:
        matching_users(params)
    assert set(raised.value.error_dict) == set(params)
