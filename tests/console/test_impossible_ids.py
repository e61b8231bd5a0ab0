"""Ids that cannot exist (NUL, control characters, non-ASCII, over-long) are a 404 before any query.

On PostgreSQL a NUL byte in a query parameter raises DataError, which used to become a 503
"database unavailable". The `id` path converter (console/converters.py) now refuses them.
"""

from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.access.factories import OrganizationFactory, RoleFactory

pytestmark = pytest.mark.django_db

IMPOSSIBLE = ["\x00", "ab\x00cd", "a\x1fb", "é", "ü" * 3, "a" * 22, "../etc", "ABC", "a b"]


@pytest.mark.parametrize("bad", IMPOSSIBLE)
@pytest.mark.parametrize(
    "template",
    [
        "/console/users/{}",
        "/console/users/{}/logs",
        "/console/users/{user}/tokens/{}/rename",
        "/console/users/{user}/identities/{}/remove",
        "/console/users/{user}/mfa/{}/remove",
        "/console/users/{user}/logs/{}",
        "/console/users/{user}/roles/{}/remove",
        "/console/users/{user}/organizations/{}/roles",
        "/console/roles/{}",
        "/console/api-resources/{}",
        "/console/api-resources/{resource}/permissions/{}/edit",
        "/console/organizations/{}/edit",
        "/console/organization-roles/{}/edit",
        "/console/applications/{}",
        "/console/audit-logs/{}",
    ],
)
def test_an_id_that_cannot_exist_is_a_404_without_a_query_for_it(
    admin_client, admin_user, bad, template
):
    url = template.format(quote(bad, safe=""), user=admin_user.pk, resource="a" * 21)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not [q["sql"] for q in queries if bad in q["sql"]]


def test_a_real_id_still_resolves(admin_client):
    role, organization = RoleFactory(), OrganizationFactory()
    assert admin_client.get(f"/console/roles/{role.pk}").status_code == HTTPStatus.OK
    assert admin_client.get(f"/console/organizations/{organization.pk}").status_code == 200


def test_a_post_to_an_impossible_id_is_a_404_and_changes_nothing(admin_client, subject):
    response = admin_client.post("/console/users/%00/suspend")
    assert response.status_code == HTTPStatus.NOT_FOUND
    subject.refresh_from_db()
    assert not subject.is_suspended
