from http import HTTPStatus

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


def url(user):
    return f"/console/users/{user.id}"


def test_it_shows_the_settings_of_the_user(admin_client, subject):
    body = admin_client.get(url(subject)).content.decode()
    assert "Ann Lee" in body and "ann@example.com" in body and subject.id in body
    assert 'value="+44 20 7946 0958"' in body
    assert "Github" in body and "1234" in body
    assert "Set</span>" in body  # password
    for tab in ("roles", "organizations", "logs"):
        assert f'href="/console/users/{subject.id}/{tab}"' in body


def test_an_admin_sees_the_actions(admin_client, subject):
    body = admin_client.get(url(subject)).content.decode()
    for action in ("reset-password", "suspend", "delete"):
        assert f"/console/users/{subject.id}/{action}" in body
    assert "Save profile" in body


def test_a_suspended_user_offers_reactivation(admin_client):
    user = UserFactory(is_suspended=True)
    body = admin_client.get(url(user)).content.decode()
    assert "/reactivate" in body and "/suspend" not in body and "Suspended" in body


def test_a_viewer_sees_everything_but_no_buttons(viewer_client, subject):
    body = viewer_client.get(url(subject)).content.decode()
    assert "ann@example.com" in body
    for hidden in (
        "reset-password",
        "/suspend",
        "/delete",
        "Save profile",
        "Save identifiers",
        "Remove",
    ):
        assert hidden not in body


def test_user_text_is_escaped(admin_client):
    user = UserFactory(name=XSS, custom_data={"note": XSS}, profile={"nickname": XSS})
    body = admin_client.get(url(user)).content.decode()
    assert XSS not in body
    assert "&lt;script&gt;" in body


def test_an_unknown_user_is_404(admin_client):
    assert admin_client.get("/console/users/nosuchuser12").status_code == HTTPStatus.NOT_FOUND


def test_non_staff_are_refused_and_anonymous_sent_to_sign_in(client, end_user, subject):
    assert client.get(url(subject)).status_code == HTTPStatus.FOUND
    client.force_login(end_user)
    assert client.get(url(subject)).status_code == HTTPStatus.FORBIDDEN


def test_it_rejects_post(admin_client, subject):
    assert admin_client.post(url(subject)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
