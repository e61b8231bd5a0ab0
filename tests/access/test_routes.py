"""Every access-control route: outsiders are refused, wrong methods are 405, viewers may only look."""

from http import HTTPStatus

import pytest

from tests.access.factories import (
    MembershipFactory,
    OrganizationRoleFactory,
    RoleFactory,
    ScopeFactory,
    UserRoleFactory,
)
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

READ_ONLY = [
    "/console/users/{user}/roles",
    "/console/users/{user}/roles/permissions",
    "/console/users/{user}/organizations",
    "/console/roles",
    "/console/roles/{role}",
    "/console/api-resources",
    "/console/api-resources/{resource}",
    "/console/organizations",
    "/console/organizations/{org}",
    "/console/organization-roles",
    "/console/applications",
    "/console/applications/{app}",
]
CHANGES = [
    "/console/users/{user}/roles/assign",
    "/console/users/{user}/roles/{role}/remove",
    "/console/users/{user}/organizations/add",
    "/console/users/{user}/organizations/{org}/roles",
    "/console/users/{user}/organizations/{org}/remove",
    "/console/roles/new",
    "/console/roles/{role}/edit",
    "/console/roles/{role}/delete",
    "/console/api-resources/new",
    "/console/api-resources/{resource}/edit",
    "/console/api-resources/{resource}/delete",
    "/console/api-resources/{resource}/permissions/new",
    "/console/api-resources/{resource}/permissions/{scope}/edit",
    "/console/api-resources/{resource}/permissions/{scope}/delete",
    "/console/organizations/new",
    "/console/organizations/{org}/edit",
    "/console/organizations/{org}/delete",
    "/console/organization-roles/new",
    "/console/organization-roles/{org_role}/edit",
    "/console/organization-roles/{org_role}/delete",
    "/console/applications/new",
    "/console/applications/{app}/edit",
    "/console/applications/{app}/delete",
]


@pytest.fixture
def ids():
    user = UserFactory()
    scope = ScopeFactory()
    role = RoleFactory(scopes=[scope])
    UserRoleFactory(user=user, role=role)
    org_role = OrganizationRoleFactory()
    membership = MembershipFactory(user=user, roles=[org_role])
    app = ApplicationFactory(redirect_uris="https://app.example.com/cb")
    return {
        "user": user.id,
        "role": role.id,
        "scope": scope.id,
        "resource": scope.resource_id,
        "org": membership.organization_id,
        "org_role": org_role.id,
        "app": app.id,
    }


def test_admins_can_open_every_page_and_dialog(admin_client, ids):
    for url in READ_ONLY + CHANGES:
        assert admin_client.get(url.format(**ids)).status_code == HTTPStatus.OK, url


def test_viewers_can_read_but_not_open_changes(viewer_client, ids):
    for url in READ_ONLY:
        assert viewer_client.get(url.format(**ids)).status_code == HTTPStatus.OK, url
    for url in CHANGES:
        assert viewer_client.get(url.format(**ids)).status_code == HTTPStatus.FORBIDDEN, url
        assert viewer_client.post(url.format(**ids)).status_code == HTTPStatus.FORBIDDEN, url


def test_non_staff_users_are_refused_everywhere(client, end_user, ids):
    client.force_login(end_user)
    for url in READ_ONLY + CHANGES:
        assert client.get(url.format(**ids)).status_code == HTTPStatus.FORBIDDEN, url


def test_anonymous_visitors_are_sent_to_sign_in(client, ids):
    for url in READ_ONLY + CHANGES:
        response = client.get(url.format(**ids))
        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"].startswith("/console/sign-in"), url


def test_wrong_methods_are_405(admin_client, ids):
    for url in READ_ONLY:
        assert admin_client.post(url.format(**ids)).status_code == 405, url
    for url in CHANGES:
        assert admin_client.put(url.format(**ids)).status_code == 405, url
        assert admin_client.delete(url.format(**ids)).status_code == 405, url
