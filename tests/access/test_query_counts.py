"""No page's query count grows with its rows: a user with hundreds of roles, a role with many
users, lists full of rows all cost the same few queries as a nearly empty page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.access.factories import (
    ApiResourceFactory,
    MembershipFactory,
    OrganizationFactory,
    OrganizationRoleFactory,
    RoleFactory,
    ScopeFactory,
    UserRoleFactory,
)
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def queries(client, url, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return len(captured)


def grow(subject, n):
    """n more of everything, wired together the way real data is."""
    resource = ApiResourceFactory()
    for _ in range(n):
        scopes = ScopeFactory.create_batch(2, resource=resource)
        role = RoleFactory(scopes=scopes)
        UserRoleFactory(user=subject, role=role)
        for user in UserFactory.create_batch(2):
            UserRoleFactory(user=user, role=role)
        RoleFactory()  # one the user lacks
        org_roles = OrganizationRoleFactory.create_batch(2, scopes=scopes[:1])
        MembershipFactory(user=subject, roles=org_roles)
        OrganizationFactory()
        ApplicationFactory()


PAGES = [
    "/console/users/{s}/roles",
    "/console/users/{s}/roles?search=role",
    "/console/users/{s}/roles/permissions",
    "/console/users/{s}/organizations",
    "/console/roles",
    "/console/roles/{role}",
    "/console/api-resources",
    "/console/api-resources/{resource}",
    "/console/organizations",
    "/console/organizations/{org}",
    "/console/organization-roles",
    "/console/applications",
]
DIALOGS = [
    "/console/users/{s}/roles/assign",
    "/console/users/{s}/organizations/add",
    "/console/users/{s}/organizations/{org}/roles",
    "/console/roles/new",
    "/console/roles/{role}/edit",
    "/console/roles/{role}/delete",
    "/console/organization-roles/new",
    "/console/api-resources/{resource}/delete",
]


def urls(subject, templates):
    from users.models import ApiResource, Membership, Role

    values = {
        "s": subject.id,
        "role": Role.objects.filter(assignments__user=subject).first().id,
        "resource": ApiResource.objects.first().id,
        "org": Membership.objects.filter(user=subject).first().organization_id,
    }
    return [t.format(**values) for t in templates]


@pytest.mark.parametrize(("templates", "headers"), [(PAGES, {}), (DIALOGS, DIALOG)])
def test_queries_do_not_grow_with_rows(admin_client, subject, templates, headers):
    grow(subject, 2)
    targets = urls(subject, templates)
    few = {url: queries(admin_client, url, headers=headers) for url in targets}
    grow(subject, 25)
    many = {url: queries(admin_client, url, headers=headers) for url in targets}
    assert many == few


def test_a_user_with_hundreds_of_roles_costs_the_same(admin_client, subject):
    resource = ApiResourceFactory()
    for _ in range(3):
        UserRoleFactory(user=subject, role=RoleFactory(scopes=[ScopeFactory(resource=resource)]))
    url = f"/console/users/{subject.id}/roles"
    few = [queries(admin_client, url), queries(admin_client, url + "/permissions")]
    for _ in range(300):
        UserRoleFactory(user=subject, role=RoleFactory(scopes=[ScopeFactory(resource=resource)]))
    many = [queries(admin_client, url), queries(admin_client, url + "/permissions")]
    assert many == few
    assert "300 permissions" not in admin_client.get(url + "/permissions").content.decode()
    assert "303 permissions" in admin_client.get(url + "/permissions").content.decode()
