"""manage.py create_app, generate_oidc_key and oidc_demo_client --register-only."""

import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.core.management import CommandError, call_command

from users.models import Application


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_app_prints_one_json_object_with_the_secret(db):
    out, _ = _run(
        "create_app",
        "--name",
        "Shop",
        "--type",
        "traditional",
        "--redirect-uri",
        "https://shop.example.com/cb",
        "--redirect-uri",
        "https://shop.example.com/cb2",
    )
    data = json.loads(out)
    assert set(data) == {"clientId", "clientSecret"}
    app = Application.objects.get(client_id=data["clientId"])
    assert app.type == Application.Type.TRADITIONAL
    assert app.redirect_uris.split() == [
        "https://shop.example.com/cb",
        "https://shop.example.com/cb2",
    ]
    assert app.client_secret != data["clientSecret"]  # stored hashed
    assert app.skip_authorization and not app.is_third_party


@pytest.mark.parametrize("kind", ["spa", "native"])
def test_create_app_gives_public_apps_no_secret(db, kind):
    out, _ = _run(
        "create_app", "--name", "App", "--type", kind, "--redirect-uri", "https://a.example.com/cb"
    )
    assert set(json.loads(out)) == {"clientId"}


def test_create_app_can_make_a_third_party_app(db):
    out, _ = _run(
        "create_app",
        "--name",
        "Partner",
        "--type",
        "traditional",
        "--third-party",
        "--redirect-uri",
        "https://p.example.com/cb",
        "--post-logout-redirect-uri",
        "https://p.example.com/",
    )
    app = Application.objects.get(client_id=json.loads(out)["clientId"])
    assert app.is_third_party and not app.skip_authorization
    assert app.post_logout_redirect_uris == "https://p.example.com/"


@pytest.mark.parametrize("uri", ["http://evil.example.net/cb", "not a uri", "javascript:alert(1)"])
def test_create_app_refuses_bad_redirect_uris_and_prints_nothing(db, uri):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "create_app", "--name", "X", "--type", "spa", "--redirect-uri", uri, stdout=out
        )
    assert out.getvalue() == ""
    assert not Application.objects.filter(name="X").exists()


def test_loopback_http_redirects_are_allowed_for_local_clients(db):
    out, _ = _run(
        "create_app",
        "--name",
        "Cli",
        "--type",
        "native",
        "--redirect-uri",
        "http://127.0.0.1:8765/cb",
    )
    assert json.loads(out)["clientId"]


def test_generate_oidc_key_writes_a_private_key_file_once(tmp_path):
    path = tmp_path / "key.pem"
    _run("generate_oidc_key", "--output", str(path))
    key = load_pem_private_key(path.read_bytes(), password=None)
    assert key.key_size == 2048
    assert path.stat().st_mode & 0o777 == 0o600
    before = path.read_bytes()
    _run("generate_oidc_key", "--output", str(path), "--if-missing")
    assert path.read_bytes() == before


def test_generate_oidc_key_prints_to_stdout_without_output(db):
    out, _ = _run("generate_oidc_key")
    assert out.startswith("-----BEGIN PRIVATE KEY-----")


def test_the_demo_client_registers_its_app_once(db):
    out, _ = _run("oidc_demo_client", "--register-only", "--port", "8001")
    assert "Registered" in out and "make demo-client" in out
    _run("oidc_demo_client", "--register-only", "--port", "8001")
    app = Application.objects.get(name="Gatehouse demo client")
    assert app.type == Application.Type.NATIVE
    assert app.redirect_uris == "http://127.0.0.1:8001/callback"
