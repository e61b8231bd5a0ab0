import logging
from http import HTTPStatus

import pytest
from django.test import Client

from audit.models import Log
from tests.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db

URL = "/console/users/new"
HTMX = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def password_in(body: str) -> str:
    start = body.index('id="cred-password">') + len('id="cred-password">')
    return body[start : body.index("</code>", start)]


def test_it_shows_the_form_as_a_dialog_fragment_for_htmx(admin_client):
    body = admin_client.get(URL, headers=HTMX).content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="add-user"')
    assert "<html" not in body


def test_it_shows_the_form_as_a_page_without_htmx(admin_client):
    body = admin_client.get(URL).content.decode()
    assert "<html" in body and "<dialog" in body and " open>" in body


def test_it_creates_the_user_and_shows_the_password_once(admin_client, caplog):
    caplog.set_level(logging.DEBUG)
    response = admin_client.post(
        URL, {"primary_email": "Ann@Example.com", "name": "Ann"}, headers=HTMX
    )
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    user = User.objects.get(primary_email="Ann@example.com")
    password = password_in(body)
    assert len(password) >= 16
    assert body.count(password) == 2  # the field and the "Copy all" text, nowhere else
    assert user.check_password(password)
    assert 'hx-history="false"' in body
    assert "no-store" in response["Cache-Control"]
    # Not stored, logged, audited or kept in the session.
    assert password not in user.password
    assert password not in caplog.text
    assert not any(password in str(log.payload) for log in Log.objects.all())
    assert password not in str(dict(admin_client.session))
    # Shown once: the next request for the page does not have it.
    assert password not in admin_client.get("/console/users").content.decode()


def test_the_result_is_a_full_page_without_htmx(admin_client):
    body = admin_client.post(URL, {"username": "plain_page"}).content.decode()
    assert "<html" in body and "User added" in body and "plain_page" in body


def test_the_result_links_to_the_user_and_asks_to_refresh_the_table_on_close(admin_client):
    body = admin_client.post(URL, {"username": "linked"}, headers=HTMX).content.decode()
    user = User.objects.get(username="linked")
    assert f'href="/console/users/{user.id}"' in body
    assert 'data-refresh-on-close="usersChanged"' in body


def test_no_identifier_is_an_inline_error_and_creates_nothing(admin_client):
    response = admin_client.post(URL, {"name": "Nobody"}, headers=HTMX)
    body = response.content.decode()
    assert "Enter at least one of email, phone or username." in body
    assert not User.objects.filter(name="Nobody").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("primary_email", "not-an-email", "Enter a valid email address."),
        ("primary_phone", "12345", "Enter a valid phone number"),
        ("username", "9lives", "Use letters, digits and underscores"),
    ],
)
def test_invalid_identifiers_are_inline_errors_and_create_nothing(
    admin_client, field, value, message
):
    before = User.objects.count()
    body = admin_client.post(URL, {field: value}, headers=HTMX).content.decode()
    assert message in body and 'class="field has-error"' in body
    assert User.objects.count() == before


def test_a_taken_identifier_names_the_field(admin_client):
    UserFactory(username="taken")
    body = admin_client.post(URL, {"username": "TAKEN"}, headers=HTMX).content.decode()
    assert "This username is already in use." in body
    assert User.objects.filter(username__iexact="taken").count() == 1


def test_a_hostile_name_is_escaped_in_the_result_dialog(admin_client):
    name = "<img src=x onerror=alert(1)>"
    body = admin_client.post(URL, {"username": "xss", "name": name}, headers=HTMX).content.decode()
    assert name not in body
    assert User.objects.get(username="xss").name == name


def test_it_records_who_created_the_user(admin_client, admin_user):
    admin_client.post(URL, {"username": "audited"}, headers={**HTMX, "User-Agent": "Browser/1.0"})
    log = Log.objects.get(key="Console.User.Create")
    assert (
        log.actor == admin_user and log.user_label == "audited" and log.user_agent == "Browser/1.0"
    )


def test_a_viewer_admin_gets_403_and_nothing_is_created(viewer_client):
    assert viewer_client.get(URL).status_code == HTTPStatus.FORBIDDEN
    assert viewer_client.post(URL, {"username": "nope"}).status_code == HTTPStatus.FORBIDDEN
    assert not User.objects.filter(username="nope").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.post(URL, {"username": "nope"}).status_code == HTTPStatus.FOUND
    assert not User.objects.filter(username="nope").exists()


def test_csrf_is_enforced(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(URL, {"username": "forged"}).status_code == HTTPStatus.FORBIDDEN
    assert not User.objects.filter(username="forged").exists()


def test_it_rejects_put(admin_client):
    assert admin_client.put(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED
