from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import MembershipFactory, OrganizationFactory, OrganizationRoleFactory

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}


@pytest.fixture
def roles():
    return OrganizationRoleFactory(name="Admin"), OrganizationRoleFactory(name="Member")


@pytest.fixture
def membership(subject, roles):
    return MembershipFactory(
        user=subject, organization=OrganizationFactory(name="Acme"), roles=[roles[1]]
    )


def url(membership):
    return f"/console/users/{membership.user_id}/organizations/{membership.organization_id}/roles"


def test_the_dialog_shows_the_roles_ticked(admin_client, membership, roles):
    body = admin_client.get(url(membership), headers=DIALOG).content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="form-dialog"')
    assert "Roles in Acme" in body
    assert f'value="{roles[1].id}"' in body and "checked" in body


def test_it_is_a_page_without_htmx(admin_client, membership):
    assert "<html" in admin_client.get(url(membership)).content.decode()


def test_it_replaces_the_roles_and_audits_old_and_new(admin_client, membership, roles):
    response = admin_client.post(url(membership), {"roles": [roles[0].id]}, headers=DIALOG)
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    assert list(membership.roles.values_list("name", flat=True)) == ["Admin"]
    log = Log.objects.get(key="Console.User.Organizations.Roles.Update")
    assert log.user_id == membership.user_id
    assert log.payload["roles"] == {"old": ["Member"], "new": ["Admin"]}


def test_saving_the_same_roles_changes_nothing(admin_client, membership, roles):
    admin_client.post(url(membership), {"roles": [roles[1].id]})
    assert not Log.objects.exists()


def test_no_roles_is_allowed(admin_client, membership):
    admin_client.post(url(membership), {})
    assert membership.roles.count() == 0


def test_unknown_roles_are_refused(admin_client, membership):
    response = admin_client.post(url(membership), {"roles": ["nosuchrole"]}, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(membership.roles.values_list("name", flat=True)) == ["Member"]


def test_an_organization_the_user_is_not_in_is_404(admin_client, subject):
    other = OrganizationFactory()
    response = admin_client.get(f"/console/users/{subject.id}/organizations/{other.id}/roles")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_viewer_gets_403(viewer_client, membership, roles):
    assert viewer_client.post(url(membership), {"roles": [roles[0].id]}).status_code == 403
    assert list(membership.roles.values_list("name", flat=True)) == ["Member"]


def test_non_staff_users_are_refused(client, end_user, membership):
    client.force_login(end_user)
    assert client.get(url(membership)).status_code == HTTPStatus.FORBIDDEN
