"""The console-wide audit log: /console/audit-logs, everyone's entries with a user column."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.audit.factories import LogFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/console/audit-logs"
LOG_TABLE = {"HX-Request": "true", "HX-Target": "log-table"}


def test_it_shows_everyones_entries_newest_first_with_the_user(admin_client):
    ann, bob = UserFactory(primary_email="ann@example.com"), UserFactory(primary_email="b@x.org")
    LogFactory(user=ann, key="RevokeToken", created_at=timezone.now() - timedelta(hours=1))
    LogFactory(user=bob, key="RevokeGrants")
    response = admin_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<html" in body and '<th scope="col">User</th>' in body
    rows = body.split("<tbody>")[1]
    assert rows.index("Revoke grants") < rows.index("Revoke token")
    assert f'<a href="/console/users/{ann.id}">ann@example.com</a>' in body
    assert response["Vary"].startswith("HX-Request")


def test_htmx_gets_the_table_fragment(admin_client):
    LogFactory()
    body = admin_client.get(URL, headers=LOG_TABLE).content.decode()
    assert body.lstrip().startswith('<section id="log-table"') and "<html" not in body


def test_entries_of_deleted_users_keep_their_label(admin_client):
    gone = UserFactory(primary_email="gone@example.com")
    LogFactory(user=gone)
    gone.delete()
    body = admin_client.get(URL, headers=LOG_TABLE).content.decode()
    assert 'gone@example.com <span class="muted">(deleted)</span>' in body


def test_rows_link_to_the_console_wide_details(admin_client):
    log = LogFactory()
    assert f'href="/console/audit-logs/{log.id}"' in admin_client.get(URL).content.decode()


def test_the_same_filters_apply(admin_client):
    LogFactory(key="Console.User.Suspend", result="Success")
    LogFactory(key="Interaction.SignIn.Submit", result="Error")
    body = admin_client.get(URL, {"event": "Console.*"}, headers=LOG_TABLE).content.decode()
    assert "Suspend user" in body and "Submit sign-in" not in body
    body = admin_client.get(URL, {"result": "Error"}, headers=LOG_TABLE).content.decode()
    assert "Submit sign-in" in body and "Suspend user" not in body
    assert admin_client.get(URL, {"period": "1y"}).status_code == HTTPStatus.BAD_REQUEST


def test_keyset_pages_work_here_too(admin_client):
    now = timezone.now()
    for i in range(25):
        LogFactory(created_at=now - timedelta(minutes=i))
    body = admin_client.get(URL).content.decode()
    assert 'href="/console/audit-logs?before=' in body


def test_the_navigation_marks_audit_logs_current(admin_client):
    body = admin_client.get(URL).content.decode()
    assert '<a href="/console/audit-logs" aria-current="page">Audit logs</a>' in body


def test_a_viewer_admin_can_read_it(viewer_client):
    LogFactory(key="RevokeToken")
    response = viewer_client.get(URL)
    assert response.status_code == HTTPStatus.OK and "Revoke token" in response.content.decode()


def test_signed_in_non_staff_users_are_refused(client, end_user):
    client.force_login(end_user)
    assert client.get(URL).status_code == HTTPStatus.FORBIDDEN


def test_staff_without_view_permission_are_refused(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == HTTPStatus.FORBIDDEN


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/console/sign-in?next=/console/audit-logs")


def test_it_rejects_post(admin_client):
    assert admin_client.post(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED
