from http import HTTPStatus

import pytest

from tests.access.factories import (
    MembershipFactory,
    OrganizationFactory,
    OrganizationRoleFactory,
)

pytestmark = pytest.mark.django_db

FRAGMENT = {"HX-Request": "true", "HX-Target": "user-organizations"}
XSS = "<img src=x onerror=alert(1)>"


def url(user):
    return f"/console/users/{user.id}/organizations"


def test_it_lists_the_organizations_with_the_users_roles_in_each(admin_client, subject):
    admin_role, member = (
        OrganizationRoleFactory(name="Admin"),
        OrganizationRoleFactory(name="Member"),
    )
    MembershipFactory(
        user=subject, organization=OrganizationFactory(name="Acme"), roles=[admin_role]
    )
    MembershipFactory(user=subject, organization=OrganizationFactory(name="Globex"), roles=[member])
    OrganizationFactory(name="Initech")
    response = admin_client.get(url(subject))
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "<html" in body
    assert "Acme" in body and "Globex" in body and "Initech" not in body
    acme = body[body.index("Acme") : body.index("Globex")]
    assert "Admin" in acme and "Member" not in acme
    assert "2 organizations" in body


def test_htmx_gets_only_the_table_and_search_works(admin_client, subject):
    MembershipFactory(user=subject, organization=OrganizationFactory(name="Acme"))
    MembershipFactory(user=subject, organization=OrganizationFactory(name="Globex"))
    body = admin_client.get(url(subject), {"search": "acm"}, headers=FRAGMENT).content.decode()
    assert body.lstrip().startswith('<section id="user-organizations"')
    assert "<mark>Acm</mark>e" in body and "Globex" not in body


def test_it_paginates(admin_client, subject):
    for n in range(22):
        MembershipFactory(user=subject, organization=OrganizationFactory(name=f"Org {n:02}"))
    body = admin_client.get(url(subject)).content.decode()
    assert "Org 19" in body and "Org 20" not in body and "page=2" in body


def test_names_are_escaped(admin_client, subject):
    MembershipFactory(
        user=subject,
        organization=OrganizationFactory(name=XSS),
        roles=[OrganizationRoleFactory(name=XSS)],
    )
    for headers in ({}, FRAGMENT):
        body = admin_client.get(url(subject), headers=headers).content.decode()
        assert XSS not in body


def test_an_admin_sees_the_change_buttons(admin_client, subject):
    org = OrganizationFactory(name="Acme")
    MembershipFactory(user=subject, organization=org)
    body = admin_client.get(url(subject)).content.decode()
    assert f"/console/users/{subject.id}/organizations/add" in body
    assert f"/console/users/{subject.id}/organizations/{org.id}/roles" in body
    assert f"/console/users/{subject.id}/organizations/{org.id}/remove" in body


def test_a_viewer_reads_but_sees_no_change_buttons(viewer_client, subject):
    MembershipFactory(user=subject, organization=OrganizationFactory(name="Acme"))
    body = viewer_client.get(url(subject)).content.decode()
    assert "Acme" in body
    assert "Add to organization" not in body and "Edit roles" not in body and "/remove" not in body


def test_nonsense_parameters_get_400(admin_client, subject):
    assert admin_client.get(url(subject), {"page_size": "7"}).status_code == HTTPStatus.BAD_REQUEST


def test_non_staff_users_are_refused(client, end_user, subject):
    client.force_login(end_user)
    assert client.get(url(subject)).status_code == HTTPStatus.FORBIDDEN


def test_unknown_users_are_404(admin_client):
    response = admin_client.get("/console/users/nosuchuser00/organizations")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_it_rejects_post(admin_client, subject):
    assert admin_client.post(url(subject)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
