from http import HTTPStatus

import pytest
from oauth2_provider.models import get_access_token_model

from audit.models import Log
from tests.factories import ApplicationFactory, UserFactory
from users.models import Application, User

pytestmark = pytest.mark.django_db

LIST = "/console/applications"
NEW = "/console/applications/new"
DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}
FRAGMENT = {"HX-Request": "true", "HX-Target": "application-table"}


def test_the_list_shows_applications_with_type(admin_client):
    ApplicationFactory(name="Acme Web", type=Application.Type.TRADITIONAL)
    ApplicationFactory(name="Acme CLI", type=Application.Type.MACHINE_TO_MACHINE, redirect_uris="")
    body = admin_client.get(LIST).content.decode()
    assert "Acme Web" in body and "Traditional web" in body and "Machine-to-machine" in body
    fragment = admin_client.get(LIST, {"search": "cli"}, headers=FRAGMENT).content.decode()
    assert fragment.lstrip().startswith('<section id="application-table"')
    assert "Acme Web" not in fragment


@pytest.mark.parametrize(
    ("app_type", "client_type", "grant"),
    [
        ("Traditional", "confidential", "authorization-code"),
        ("SPA", "public", "authorization-code"),
        ("Native", "public", "authorization-code"),
        ("MachineToMachine", "confidential", "client-credentials"),
    ],
)
def test_the_type_decides_the_oauth_client(admin_client, app_type, client_type, grant):
    response = admin_client.post(
        NEW,
        {"name": "App", "type": app_type, "redirect_uris": "https://app.example.com/cb"},
        headers=DIALOG,
    )
    app = Application.objects.get()
    if client_type == "confidential":  # shows its secret once instead (tests/signin)
        assert response.status_code == HTTPStatus.OK and "Client secret" in response.text
    else:
        assert response["HX-Redirect"] == f"/console/applications/{app.id}"
    assert (app.type, app.client_type, app.authorization_grant_type) == (
        app_type,
        client_type,
        grant,
    )
    assert len(app.id) == 21
    if app_type == "MachineToMachine":
        assert app.redirect_uris == ""


def test_the_secret_is_stored_hashed_and_shown_only_in_the_create_response(admin_client):
    created = admin_client.post(
        NEW, {"name": "Web", "type": "Traditional", "redirect_uris": "https://web.example.com/cb"}
    )
    app = Application.objects.get()
    assert app.client_secret.startswith(("argon2", "pbkdf2"))
    assert (
        created["Cache-Control"].startswith("max-age=0") or "no-store" in created["Cache-Control"]
    )
    assert "Client secret" in created.content.decode()
    body = admin_client.get(f"/console/applications/{app.id}").content.decode()
    assert app.client_id in body and app.client_secret not in body
    payload = Log.objects.get(key="Console.Application.Create").payload
    assert (
        "clientSecret" not in str(payload) and payload["application"]["clientId"] == app.client_id
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Web", "type": "Traditional"}, "Enter at least one redirect URI"),
        ({"name": "Web", "type": "SPA", "redirect_uris": "javascript:alert(1)"}, "redirect"),
        ({"name": "", "type": "SPA", "redirect_uris": "https://a.example"}, "required"),
        ({"name": "Web", "type": "Kiosk", "redirect_uris": "https://a.example"}, "valid choice"),
    ],
)
def test_invalid_input_is_refused(admin_client, data, message):
    response = admin_client.post(NEW, data, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_it_edits_name_description_and_redirect_uris_but_not_the_type(admin_client):
    app = ApplicationFactory(name="Web", redirect_uris="https://old.example.com/cb")
    url = f"/console/applications/{app.id}/edit"
    assert 'name="type"' not in admin_client.get(url, headers=DIALOG).content.decode()
    response = admin_client.post(
        url,
        {
            "name": "Web app",
            "type": "MachineToMachine",
            "description": "",
            "redirect_uris": "https://new.example.com/cb\nhttps://new.example.com/cb2",
        },
        headers=DIALOG,
    )
    assert response["HX-Refresh"] == "true"
    app.refresh_from_db()
    assert app.name == "Web app" and app.type == "Traditional"
    assert app.redirect_uris == "https://new.example.com/cb https://new.example.com/cb2"
    changes = Log.objects.get(key="Console.Application.Update").payload["changes"]
    assert changes["name"] == {"old": "Web", "new": "Web app"} and "redirectUris" in changes


def test_deleting_keeps_its_users_and_deletes_its_tokens(admin_client):
    app = ApplicationFactory(name="Web", redirect_uris="https://web.example.com/cb")
    user = UserFactory(application=app)
    get_access_token_model().objects.create(
        user=user, application=app, token="x" * 40, expires="2999-01-01T00:00Z", scope="openid"
    )
    url = f"/console/applications/{app.id}/delete"
    body = admin_client.get(url, headers=DIALOG).content.decode()
    assert "1 user came from it: they keep their accounts" in body
    assert admin_client.post(url, headers=DIALOG)["HX-Redirect"] == LIST
    assert not Application.objects.exists()
    assert User.objects.get(pk=user.pk).application is None
    assert not get_access_token_model().objects.exists()
    assert Log.objects.get(key="Console.Application.Delete").payload["usersDetached"] == 1


def test_a_viewer_gets_403_on_changes(viewer_client):
    app = ApplicationFactory(name="Web")
    assert viewer_client.get(LIST).status_code == HTTPStatus.OK
    assert viewer_client.get(f"/console/applications/{app.id}").status_code == HTTPStatus.OK
    for url in (
        NEW,
        f"/console/applications/{app.id}/edit",
        f"/console/applications/{app.id}/delete",
    ):
        assert viewer_client.post(url, {"name": "X"}).status_code == HTTPStatus.FORBIDDEN
    assert Application.objects.get().name == "Web"


def test_non_staff_users_are_refused(client, end_user):
    client.force_login(end_user)
    assert client.get(LIST).status_code == HTTPStatus.FORBIDDEN


def test_unknown_applications_are_404(admin_client):
    for suffix in ("", "/edit", "/delete"):
        assert admin_client.get(f"/console/applications/nosuch{suffix}").status_code == 404


def test_a_traditional_web_app_can_rotate_its_secret_and_sees_the_new_one_once(admin_client):
    admin_client.post(
        NEW, {"name": "Web", "type": "Traditional", "redirect_uris": "https://web.example.com/cb"}
    )
    app = Application.objects.get()
    old_hash = app.client_secret
    page = admin_client.get(f"/console/applications/{app.id}").content.decode()
    assert "Rotate secret" in page
    response = admin_client.post(f"/console/applications/{app.id}/rotate-secret")
    app.refresh_from_db()
    assert response.status_code == HTTPStatus.OK and "New client secret" in response.text
    assert app.client_secret != old_hash


def test_public_apps_have_no_secret_to_rotate(admin_client):
    admin_client.post(
        NEW, {"name": "Spa", "type": "SPA", "redirect_uris": "https://spa.example.com/cb"}
    )
    app = Application.objects.get()
    assert "Rotate secret" not in admin_client.get(f"/console/applications/{app.id}").text
    response = admin_client.post(f"/console/applications/{app.id}/rotate-secret")
    assert response.status_code == HTTPStatus.NOT_FOUND
