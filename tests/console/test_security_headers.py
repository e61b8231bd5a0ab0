import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(admin_client):
    response = admin_client.get("/console/users")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_every_script_tag_carries_the_nonce_and_no_inline_handlers_exist(admin_client):
    response = admin_client.get("/console/users")
    body = response.content.decode()
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert body.count("<script") == body.count(f'nonce="{nonce}"') >= 2
    assert " onclick=" not in body and "hx-on" not in body


def test_htmx_is_served_from_our_own_static_files(admin_client):
    body = admin_client.get("/console/users").content.decode()
    assert 'src="/static/django_htmx/htmx-2.min.js"' in body
    assert "unpkg" not in body and "cdn" not in body.lower()


def test_pages_refuse_framing_and_sniffing(client):
    response = client.get("/console/sign-in")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_htmx_posts_send_the_csrf_token_header(admin_client):
    body = admin_client.get("/console/users").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in body


def test_the_health_check_is_open_and_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
