from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import MembershipFactory, OrganizationFactory, OrganizationRoleFactory
from users.models import Membership

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}
CHOICES = {"HX-Request": "true", "HX-Target": "organization-choices"}


def url(user):
    return f"/console/users/{user.id}/organizations/add"


def test_the_dialog_offers_organizations_the_user_is_not_in(admin_client, subject):
    MembershipFactory(user=subject, organization=OrganizationFactory(name="Acme"))
    OrganizationFactory(name="Globex")
    OrganizationRoleFactory(name="Admin")
    body = admin_client.get(url(subject), headers=DIALOG).content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="add-organization"')
    assert "Globex" in body and "Acme" not in body and "Admin" in body


def test_it_is_a_page_without_htmx(admin_client, subject):
    body = admin_client.get(url(subject)).content.decode()
    assert "<html" in body and 'id="add-organization"' in body


def test_searching_narrows_the_choices_and_keeps_the_chosen_one(admin_client, subject):
    globex = OrganizationFactory(name="Globex")
    OrganizationFactory(name="Initech")
    OrganizationFactory(name="Umbrella")
    response = admin_client.get(
        url(subject), {"search": "init", "organization": globex.id}, headers=CHOICES
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<fieldset id="organization-choices"')
    assert "Initech" in body and "Umbrella" not in body
    assert f'value="{globex.id}" id="organization-{globex.id}" checked' in body


def test_it_adds_the_user_with_roles_and_audits_it(admin_client, admin_user, subject):
    acme, admin_role = OrganizationFactory(name="Acme"), OrganizationRoleFactory(name="Admin")
    response = admin_client.post(
        url(subject), {"organization": acme.id, "roles": [admin_role.id]}, headers=DIALOG
    )
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    membership = Membership.objects.get(user=subject, organization=acme)
    assert list(membership.roles.values_list("name", flat=True)) == ["Admin"]
    log = Log.objects.get(key="Console.User.Organizations.Add")
    assert log.user == subject and log.actor == admin_user
    assert log.payload == {
        "organization": {"id": acme.id, "name": "Acme"},
        "roles": {"old": [], "new": ["Admin"]},
    }


def test_adding_again_adds_missing_roles_and_keeps_one_membership(admin_client, subject):
    acme = OrganizationFactory(name="Acme")
    admin_role, member = (
        OrganizationRoleFactory(name="Admin"),
        OrganizationRoleFactory(name="Member"),
    )
    admin_client.post(url(subject), {"organization": acme.id, "roles": [member.id]})
    admin_client.post(url(subject), {"organization": acme.id, "roles": [member.id]})
    assert Log.objects.filter(key__startswith="Console.User.Organizations").count() == 1
    admin_client.post(url(subject), {"organization": acme.id, "roles": [admin_role.id]})
    membership = Membership.objects.get(user=subject, organization=acme)
    assert set(membership.roles.values_list("name", flat=True)) == {"Admin", "Member"}
    log = Log.objects.get(key="Console.User.Organizations.Roles.Update")
    assert log.payload["roles"] == {"old": ["Member"], "new": ["Admin", "Member"]}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"organization": "nosuchorganization0000"},
        {"organization": "a\x00b"},
        {"organization": "ok", "roles": ["nosuchrole"]},
    ],
)
def test_invalid_choices_are_refused_and_nothing_changes(admin_client, subject, data):
    acme = OrganizationFactory(name="Acme")
    data = {k: (acme.id if v == "ok" else v) for k, v in data.items()}
    response = admin_client.post(url(subject), data, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="error"' in response.content.decode()
    assert not Membership.objects.exists()


def test_a_viewer_gets_403_and_nothing_changes(viewer_client, subject):
    acme = OrganizationFactory()
    assert viewer_client.get(url(subject)).status_code == HTTPStatus.FORBIDDEN
    assert viewer_client.post(url(subject), {"organization": acme.id}).status_code == 403
    assert not Membership.objects.exists()


def test_non_staff_users_are_refused(client, end_user, subject):
    acme = OrganizationFactory()
    client.force_login(end_user)
    assert client.post(url(subject), {"organization": acme.id}).status_code == 403
    assert not Membership.objects.exists()


def test_it_rejects_put(admin_client, subject):
    assert admin_client.put(url(subject)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
