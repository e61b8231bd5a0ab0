"""manage.py create_m2m_app: one JSON object on stdout, an app that can get a working token."""

import io
import json
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command

from audit.models import Log
from users.models import Application

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_m2m_app", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_exactly_one_json_object_with_the_credentials():
    out, err = run("--name", "Deploy bot")
    assert out.endswith("\n") and out.count("\n") == 1
    credentials = json.loads(out)
    assert set(credentials) == {"clientId", "clientSecret"}
    app = Application.objects.get(client_id=credentials["clientId"])
    assert app.name == "Deploy bot" and app.is_machine_to_machine
    assert "Deploy bot" in err


def test_the_secret_is_stored_only_hashed_and_never_audited():
    out, _ = run("--name", "Deploy bot")
    credentials = json.loads(out)
    app = Application.objects.get(client_id=credentials["clientId"])
    assert app.client_secret != credentials["clientSecret"]
    assert not Log.objects.filter(payload__icontains=credentials["clientSecret"]).exists()


def test_the_app_gets_the_management_api_access_role():
    out, _ = run("--name", "Deploy bot")
    app = Application.objects.get(client_id=json.loads(out)["clientId"])
    assert [r.name for r in app.roles.all()] == ["Management API access"]
    keys = set(Log.objects.values_list("key", flat=True))
    assert {"System.Application.Create", "System.Application.Roles.Assign"} <= keys


def test_its_credentials_get_a_token_that_opens_the_api(client, settings):
    settings.ROOT_URLCONF = "tests.signin.urls"
    credentials = json.loads(run("--name", "Deploy bot")[0])
    response = client.post(
        "/oidc/token",
        {
            "grant_type": "client_credentials",
            "client_id": credentials["clientId"],
            "client_secret": credentials["clientSecret"],
            "resource": "https://default.logto.app/api",
            "scope": "all",
        },
    )
    assert response.status_code == HTTPStatus.OK
    token = response.json()["access_token"]
    api = client.get("/test-api/whoami", headers={"Authorization": f"Bearer {token}"})
    assert api.json() == {"clientId": credentials["clientId"]}


def test_it_makes_the_role_again_if_an_admin_deleted_it():
    from users.models import Role

    Role.objects.filter(name="Management API access").delete()
    out, _ = run("--name", "Deploy bot")
    app = Application.objects.get(client_id=json.loads(out)["clientId"])
    assert app.roles.get().scopes.get().name == "all"


def test_a_bad_name_is_an_error_on_stderr_and_nothing_on_stdout():
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("create_m2m_app", "--name", "  ", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""
    assert not Application.objects.exists()
