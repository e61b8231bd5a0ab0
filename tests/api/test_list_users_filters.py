"""GET /api/users with Gatehouse's facets and sort (camelCase extensions, docs/api.md): the
console table's filters through the same query builder; a bad value is 400 guard.invalid_input."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.access.factories import MembershipFactory, RoleFactory, UserRoleFactory
from tests.factories import UserFactory
from users.models import Identity, MfaFactor

pytestmark = pytest.mark.django_db


def names(response):
    assert response.status_code == HTTPStatus.OK, response.content
    return [u["username"] for u in response.json()]


@pytest.fixture
def people(db):
    now = timezone.now()
    ann = UserFactory(
        username="ann",
        name="Ann Lee",
        is_suspended=True,
        created_at=now - timedelta(days=365),
        last_sign_in_at=now - timedelta(days=100),
        custom_data={"plan": "pro"},
        password="a-long-pass-phrase-1",
    )
    bob = UserFactory(username="bob", name="Bob Lee", last_sign_in_at=now - timedelta(days=1))
    cat = UserFactory(username="cat", name="Cat Ray", last_sign_in_at=None)
    MfaFactor.objects.create(user=bob, type=MfaFactor.Type.TOTP)
    Identity.objects.create(user=cat, target="github", external_user_id="7")
    return {"ann": ann, "bob": bob, "cat": cat}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "suspended"}, {"ann"}),
        ({"status": "active"}, {"bob", "cat"}),
        ({"hasMfa": "true"}, {"bob"}),
        ({"hasMfa": "false"}, {"ann", "cat"}),
        ({"hasPassword": "true"}, {"ann"}),
        ({"socialIdentity": "github"}, {"cat"}),
        ({"socialIdentity": "none"}, {"ann", "bob"}),
        ({"neverSignedIn": "true"}, {"cat"}),
        ({"inactiveDays": "30"}, {"ann"}),
        ({"customData": "plan=pro"}, {"ann"}),
        ({"customData": "plan"}, {"ann"}),
        ({"lastSignInFrom": (timezone.now() - timedelta(days=2)).date().isoformat()}, {"bob"}),
    ],
)
def test_each_facet_filters_the_list(api, people, params, expected):
    assert set(names(api.get("/api/users", params))) == expected


def test_role_and_organization_ids(api, people):
    role = RoleFactory()
    UserRoleFactory(user=people["bob"], role=role)
    membership = MembershipFactory(user=people["bob"])
    MembershipFactory(user=people["ann"])
    assert names(api.get("/api/users", {"roleId": role.pk})) == ["bob"]
    assert names(api.get("/api/users", {"organizationId": membership.organization_id})) == ["bob"]


def test_facets_combine_with_the_keyword_search(api, people):
    assert names(api.get("/api/users", {"search": "%lee%", "status": "active"})) == ["bob"]
    assert names(api.get("/api/users", {"search.name": "%Lee%", "hasMfa": "false"})) == ["ann"]


def test_sort_by_the_api_field_names_both_ways(api, people):
    assert names(api.get("/api/users", {"sort": "name"})) == ["ann", "bob", "cat"]
    assert names(api.get("/api/users", {"sort": "-name"})) == ["cat", "bob", "ann"]
    assert names(api.get("/api/users", {"sort": "-lastSignInAt"})) == ["bob", "ann", "cat"]
    assert names(api.get("/api/users", {"sort": "lastSignInAt"})) == ["ann", "bob", "cat"]


def test_the_total_counts_the_filtered_users(api, people):
    response = api.get("/api/users", {"status": "active", "page_size": 1})
    assert response["Total-Number"] == "2"
    assert "Total-Number-Is-Capped" not in response


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "invited"}, "status"),
        ({"hasMfa": "maybe"}, "hasMfa"),
        ({"roleId": "nosuchrole"}, "roleId"),
        ({"organizationId": "bad id"}, "organizationId"),
        ({"createdFrom": "1700000000000"}, "createdFrom"),
        ({"inactiveDays": "0"}, "inactiveDays"),
        ({"customData": "a b=c"}, "customData"),
        ({"sort": "password"}, "sort"),
        ({"sort": "-created"}, "sort"),
        ({"neverSignedIn": "true", "lastSignInTo": "2026-01-01"}, "neverSignedIn"),
    ],
)
def test_bad_values_are_400_invalid_input_naming_the_parameter(api, people, params, field):
    response = api.get("/api/users", params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert body["code"] == "guard.invalid_input"
    assert field in body["data"]


def test_without_facets_or_sort_the_list_is_newest_first_as_before(api, people):
    assert names(api.get("/api/users")) == ["cat", "bob", "ann"]
