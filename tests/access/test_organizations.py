from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import MembershipFactory, OrganizationFactory, OrganizationRoleFactory
from users.models import Membership, Organization

pytestmark = pytest.mark.django_db

LIST = "/console/organizations"
NEW = "/console/organizations/new"
DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}
FRAGMENT = {"HX-Request": "true", "HX-Target": "organization-table"}
XSS = "<img src=x onerror=alert(1)>"


def test_the_list_shows_organizations_and_member_counts(admin_client):
    acme = OrganizationFactory(name="Acme")
    MembershipFactory.create_batch(2, organization=acme)
    OrganizationFactory(name="Globex")
    body = admin_client.get(LIST).content.decode()
    assert "Acme" in body and "Globex" in body and "<td>2</td>" in body
    assert 'href="/console/organization-roles"' in body
    fragment = admin_client.get(LIST, {"search": "glo"}, headers=FRAGMENT).content.decode()
    assert fragment.lstrip().startswith('<section id="organization-table"')
    assert "Acme" not in fragment


def test_it_creates_an_organization_with_custom_data(admin_client):
    response = admin_client.post(
        NEW,
        {"name": "Acme", "description": "Rockets", "custom_data": '{"plan": "pro"}'},
        headers=DIALOG,
    )
    organization = Organization.objects.get()
    assert response["HX-Redirect"] == f"/console/organizations/{organization.id}"
    assert organization.custom_data == {"plan": "pro"}
    payload = Log.objects.get(key="Console.Organization.Create").payload
    assert payload["organization"]["customData"] == {"plan": "pro"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Acme", "custom_data": "[1, 2]"}, "must be a JSON object"),
        ({"name": "Acme", "custom_data": "{nope"}, "not valid JSON"),
        ({"name": "Acme", "custom_data": '{"a": "\\u0000"}'}, "Null characters"),
        ({"name": "Acme", "custom_data": "[" * 20 + "]" * 20}, "must be a JSON object"),
        ({"name": "Acme", "custom_data": '{"a":' * 20 + "1" + "}" * 20}, "nest at most 16 levels"),
    ],
)
def test_invalid_input_is_refused(admin_client, data, message):
    response = admin_client.post(NEW, data, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not Organization.objects.exists()


def test_the_detail_page_shows_it(admin_client):
    acme = OrganizationFactory(name="Acme", custom_data={"plan": XSS})
    body = admin_client.get(f"/console/organizations/{acme.id}").content.decode()
    assert "Acme" in body and "plan" in body and XSS not in body


def test_it_edits_an_organization(admin_client):
    acme = OrganizationFactory(name="Acme", description="Old")
    url = f"/console/organizations/{acme.id}/edit"
    assert "Acme" in admin_client.get(url, headers=DIALOG).content.decode()
    response = admin_client.post(url, {"name": "Acme", "description": "New", "custom_data": ""})
    assert response.status_code == HTTPStatus.FOUND
    acme.refresh_from_db()
    assert acme.description == "New"
    changes = Log.objects.get(key="Console.Organization.Update").payload["changes"]
    assert changes == {"description": {"old": "Old", "new": "New"}}


def test_deleting_an_organization_removes_its_memberships(admin_client):
    acme = OrganizationFactory(name="Acme")
    MembershipFactory(organization=acme, roles=[OrganizationRoleFactory()])
    kept = MembershipFactory()
    url = f"/console/organizations/{acme.id}/delete"
    body = admin_client.get(url, headers=DIALOG).content.decode()
    assert "Its 1 membership and the organization roles held in it are removed (cascade)" in body
    response = admin_client.post(url, headers=DIALOG)
    assert response["HX-Redirect"] == LIST
    assert list(Membership.objects.all()) == [kept]
    assert Log.objects.get(key="Console.Organization.Delete").payload["removedMembers"] == 1


def test_a_viewer_gets_403_on_changes(viewer_client):
    acme = OrganizationFactory(name="Acme")
    assert viewer_client.get(LIST).status_code == HTTPStatus.OK
    for url in (
        NEW,
        f"/console/organizations/{acme.id}/edit",
        f"/console/organizations/{acme.id}/delete",
    ):
        assert viewer_client.post(url, {"name": "X"}).status_code == HTTPStatus.FORBIDDEN
    assert Organization.objects.get().name == "Acme"


def test_non_staff_users_are_refused(client, end_user):
    client.force_login(end_user)
    assert client.get(LIST).status_code == HTTPStatus.FORBIDDEN


def test_unknown_organizations_are_404(admin_client):
    for suffix in ("", "/edit", "/delete"):
        assert admin_client.get(f"/console/organizations/nosuch{suffix}").status_code == 404
