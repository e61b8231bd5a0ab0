from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import MembershipFactory, OrganizationFactory, OrganizationRoleFactory
from users.models import Membership

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}


@pytest.fixture
def membership(subject):
    return MembershipFactory(
        user=subject,
        organization=OrganizationFactory(name="Acme"),
        roles=[OrganizationRoleFactory(name="Admin")],
    )


def url(membership):
    return f"/console/users/{membership.user_id}/organizations/{membership.organization_id}/remove"


def test_it_asks_for_confirmation(admin_client, membership):
    body = admin_client.get(url(membership), headers=DIALOG).content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="confirm-dialog"')
    assert "Remove this user from “Acme”?" in body
    assert "<html" in admin_client.get(url(membership)).content.decode()


def test_it_removes_the_membership_with_its_roles_and_audits_it(admin_client, membership):
    response = admin_client.post(url(membership), headers=DIALOG)
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    assert not Membership.objects.exists()
    assert not Membership.roles.through.objects.exists()
    log = Log.objects.get(key="Console.User.Organizations.Remove")
    assert log.payload["roles"] == {"old": ["Admin"], "new": []}


def test_without_javascript_it_redirects_to_the_tab(admin_client, membership):
    response = admin_client.post(url(membership))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/console/users/{membership.user_id}/organizations"


def test_a_second_removal_is_404(admin_client, membership):
    admin_client.post(url(membership))
    assert admin_client.post(url(membership)).status_code == HTTPStatus.NOT_FOUND


def test_a_viewer_gets_403(viewer_client, membership):
    assert viewer_client.post(url(membership)).status_code == HTTPStatus.FORBIDDEN
    assert Membership.objects.exists()


def test_non_staff_users_are_refused(client, end_user, membership):
    client.force_login(end_user)
    assert client.post(url(membership)).status_code == HTTPStatus.FORBIDDEN
    assert Membership.objects.exists()
