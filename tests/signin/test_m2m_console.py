"""The console's machine-to-machine applications: the secret shown once (create, rotate), the
roles that decide what their tokens open."""

import re
from http import HTTPStatus

import pytest

from audit.models import Log
from audit.recorder import Origin
from signin.management import grant_management_access, issue_access_token
from tests.access.factories import MachineRoleFactory, RoleFactory
from tests.factories import ApplicationFactory
from tests.signin.conftest import bearer, make_m2m_app
from users.models import Application

pytestmark = pytest.mark.django_db

NEW = "/console/applications/new"
DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}
M2M = {"name": "Nightly export", "type": "MachineToMachine", "description": "Exports"}


def shown_secret(response) -> str:
    match = re.search(r'<code id="cred-client-secret">([^<]+)</code>', response.text)
    assert match, response.text
    return match.group(1)


def token_response(client, app, secret):
    return client.post(
        "/oidc/token",
        {
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": secret,
            "resource": "https://default.logto.app/api",
            "scope": "all",
        },
    )


def assert_no_store(response):
    assert "no-store" in response["Cache-Control"]


# --- Create -------------------------------------------------------------------------------


def test_creating_shows_client_id_and_secret_once_in_the_reveal_dialog(admin_client, client):
    response = admin_client.post(NEW, M2M, headers=DIALOG)
    assert response.status_code == HTTPStatus.OK
    assert_no_store(response)
    assert 'hx-history="false"' in response.text
    assert "<html" not in response.text  # the dialog fragment
    app = Application.objects.get()
    secret = shown_secret(response)
    assert app.client_id in response.text
    assert app.client_secret != secret  # stored hashed
    assert "will not be shown again" in response.text
    detail = admin_client.get(f"/console/applications/{app.id}").text
    assert secret not in detail and app.client_id in detail
    grant_management_access(app, origin=Origin.system())
    assert token_response(client, app, secret).status_code == HTTPStatus.OK


def test_without_javascript_the_reveal_is_a_whole_page(admin_client):
    response = admin_client.post(NEW, M2M)
    assert response.status_code == HTTPStatus.OK
    assert_no_store(response)
    assert "<html" in response.text and "<dialog" in response.text
    assert shown_secret(response)


def test_the_secret_is_never_in_the_audit_log(admin_client):
    secret = shown_secret(admin_client.post(NEW, M2M, headers=DIALOG))
    assert Log.objects.filter(key="Console.Application.Create").exists()
    assert not Log.objects.filter(payload__icontains=secret).exists()


def test_a_public_application_is_created_without_a_secret_to_show(admin_client):
    data = {"name": "Spa", "type": "SPA", "redirect_uris": "https://web.example/cb"}
    response = admin_client.post(NEW, data, headers=DIALOG)
    assert response["HX-Redirect"].startswith("/console/applications/")
    assert "cred-client-secret" not in response.text


# --- Rotate -------------------------------------------------------------------------------


def rotate_url(app):
    return f"/console/applications/{app.id}/rotate-secret"


def test_rotate_asks_first_as_a_dialog_or_a_page(admin_client):
    app = make_m2m_app()
    dialog = admin_client.get(rotate_url(app), headers=DIALOG)
    assert dialog.status_code == HTTPStatus.OK and "<html" not in dialog.text
    assert "stops working" in dialog.text
    page = admin_client.get(rotate_url(app))
    assert page.status_code == HTTPStatus.OK and "<html" in page.text
    assert app.client_secret == Application.objects.get().client_secret  # nothing rotated


def test_rotating_shows_the_new_secret_once_and_kills_the_old_one_and_its_tokens(
    admin_client, client, settings
):
    settings.ROOT_URLCONF = "tests.signin.urls"
    app = make_m2m_app()
    old_secret = app.new_client_secret
    token, _ = issue_access_token(app)
    response = admin_client.post(rotate_url(app), headers=DIALOG)
    assert response.status_code == HTTPStatus.OK
    assert_no_store(response)
    new_secret = shown_secret(response)
    assert new_secret != old_secret
    assert token_response(client, app, old_secret).json()["error"] == "invalid_client"
    assert token_response(client, app, new_secret).status_code == HTTPStatus.OK
    assert client.get("/test-api/whoami", headers=bearer(token)).status_code == 401
    detail = admin_client.get(f"/console/applications/{app.id}").text
    assert new_secret not in detail and "Last rotated" in detail
    log = Log.objects.get(key="Console.Application.Secret.Rotate")
    assert log.payload["revokedTokens"] == 1 and new_secret not in str(log.payload)


def test_only_apps_with_a_secret_rotate_it(admin_client):
    app = ApplicationFactory(
        name="Spa",
        redirect_uris="https://web.example/cb",
        type=Application.Type.SPA,
        client_type=Application.CLIENT_PUBLIC,
    )
    assert admin_client.post(rotate_url(app)).status_code == HTTPStatus.NOT_FOUND


def test_rotate_is_refused_to_a_viewer(viewer_client):
    app = make_m2m_app()
    before = Application.objects.get().client_secret
    assert viewer_client.post(rotate_url(app)).status_code == HTTPStatus.FORBIDDEN
    assert Application.objects.get().client_secret == before


def test_rotate_rejects_put(admin_client):
    app = make_m2m_app()
    assert admin_client.put(rotate_url(app)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- Roles --------------------------------------------------------------------------------


def assign_url(app):
    return f"/console/applications/{app.id}/roles/assign"


def test_the_detail_page_lists_the_apps_roles(admin_client):
    app = make_m2m_app()
    body = admin_client.get(f"/console/applications/{app.id}").text
    assert "Management API access" in body and "Assign roles" in body and "Rotate secret" in body


def test_the_assign_dialog_offers_the_machine_roles_it_lacks(admin_client):
    app = make_m2m_app()
    MachineRoleFactory(name="Exporter")
    RoleFactory(name="Customer")
    body = admin_client.get(assign_url(app), headers=DIALOG).text
    assert "Exporter" in body
    assert "Customer" not in body and "Management API access" not in body


def test_assigning_a_machine_role_works_and_is_audited(admin_client):
    app = make_m2m_app(granted=False)
    role = MachineRoleFactory(name="Exporter")
    response = admin_client.post(assign_url(app), {"roles": [role.pk]}, headers=DIALOG)
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    assert list(app.roles.all()) == [role]
    log = Log.objects.get(key="Console.Application.Roles.Assign")
    assert log.payload["added"][0]["name"] == "Exporter"


def test_assigning_a_user_role_is_refused_with_400_in_the_dialog(admin_client):
    app = make_m2m_app(granted=False)
    role = RoleFactory(name="Customer")
    response = admin_client.post(assign_url(app), {"roles": [role.pk]}, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "only machine-to-machine roles" in response.text and "<dialog" in response.text
    assert not app.roles.exists()


@pytest.mark.parametrize("roles", [[], ["nosuch"], ["a\x00b"]])
def test_assigning_nothing_or_unknown_roles_is_400(admin_client, roles):
    app = make_m2m_app(granted=False)
    response = admin_client.post(assign_url(app), {"roles": roles}, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "<dialog" in response.text


def test_a_sign_in_app_has_no_roles_page(admin_client):
    app = ApplicationFactory(name="Web", redirect_uris="https://web.example/cb")
    assert admin_client.get(assign_url(app)).status_code == HTTPStatus.NOT_FOUND


def test_removing_the_role_asks_first_then_stops_its_tokens(admin_client, client, settings):
    settings.ROOT_URLCONF = "tests.signin.urls"
    app = make_m2m_app()
    role = app.roles.get()
    token, _ = issue_access_token(app)
    url = f"/console/applications/{app.id}/roles/{role.pk}/remove"
    assert "loses the permissions" in admin_client.get(url, headers=DIALOG).text
    response = admin_client.post(url, headers=DIALOG)
    assert response["HX-Refresh"] == "true"
    assert not app.roles.exists()
    assert client.get("/test-api/whoami", headers=bearer(token)).status_code in (401, 403)
    assert Log.objects.filter(key="Console.Application.Roles.Remove").count() == 1


def test_removing_a_role_the_app_does_not_hold_is_404(admin_client):
    app = make_m2m_app(granted=False)
    role = MachineRoleFactory()
    url = f"/console/applications/{app.id}/roles/{role.pk}/remove"
    assert admin_client.post(url).status_code == HTTPStatus.NOT_FOUND


def test_role_changes_are_refused_to_a_viewer(viewer_client):
    app = make_m2m_app()
    role = app.roles.get()
    other = MachineRoleFactory()
    assert viewer_client.post(assign_url(app), {"roles": [other.pk]}).status_code == 403
    url = f"/console/applications/{app.id}/roles/{role.pk}/remove"
    assert viewer_client.post(url).status_code == HTTPStatus.FORBIDDEN
    assert list(app.roles.all()) == [role]
    body = viewer_client.get(f"/console/applications/{app.id}").text
    assert "Assign roles" not in body and "Rotate secret" not in body


def test_anonymous_visitors_are_sent_to_sign_in(client):
    app = make_m2m_app()
    response = client.post(rotate_url(app))
    assert response.status_code == HTTPStatus.FOUND and "/console/sign-in" in response["Location"]


def test_the_assign_dialog_is_also_a_page_without_javascript(admin_client):
    app = make_m2m_app(granted=False)
    MachineRoleFactory(name="Exporter")
    page = admin_client.get(assign_url(app))
    assert page.status_code == HTTPStatus.OK
    assert "<html" in page.text and "Exporter" in page.text
    role = app.roles.model.objects.get(name="Exporter")
    response = admin_client.post(assign_url(app), {"roles": [role.pk]})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/console/applications/{app.id}"


def test_role_pages_reject_put(admin_client):
    app = make_m2m_app()
    role = app.roles.get()
    assert admin_client.put(assign_url(app)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    url = f"/console/applications/{app.id}/roles/{role.pk}/remove"
    assert admin_client.put(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_assignments_of_one_role_make_one_row_and_one_audit_entry():
    import threading

    from django.db import connection
    from django.test import Client

    from tests.factories import SuperuserFactory
    from users.models import ApplicationRole

    app = make_m2m_app(granted=False)
    role = MachineRoleFactory(name="Exporter")
    signed_in = Client()
    signed_in.force_login(SuperuserFactory())
    statuses, errors = [], []
    barrier = threading.Barrier(20)

    def assign():
        client = Client()
        client.cookies = signed_in.cookies
        try:
            barrier.wait()
            response = client.post(assign_url(app), {"roles": [role.pk]}, headers=DIALOG)
            statuses.append(response.status_code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=assign) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [HTTPStatus.OK] * 20
    assert ApplicationRole.objects.filter(application=app, role=role).count() == 1
    assert Log.objects.filter(key="Console.Application.Roles.Assign").count() == 1
