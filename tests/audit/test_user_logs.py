"""A user's Logs tab: /console/users/<id>/logs."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.audit.factories import LogFactory
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

LOG_TABLE = {"HX-Request": "true", "HX-Target": "log-table"}


@pytest.fixture
def person():
    return UserFactory(name="Ann Smith", primary_email="ann@example.com")


def url(user):
    return f"/console/users/{user.id}/logs"


def test_it_shows_the_whole_page_with_the_users_header_and_the_table(admin_client, person):
    LogFactory(user=person, key="Interaction.SignIn.Submit")
    response = admin_client.get(url(person))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<html" in body and 'id="log-table"' in body
    assert "Ann Smith" in body and 'aria-current="page">Logs</a>' in body
    assert "Submit sign-in interaction" in body and "Interaction.SignIn.Submit" in body
    assert response["Vary"].startswith("HX-Request")


def test_htmx_gets_only_the_table_fragment(admin_client, person):
    LogFactory(user=person)
    response = admin_client.get(url(person), headers=LOG_TABLE)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="log-table"')
    assert "<html" not in body and "Submit sign-in interaction" in body


def test_a_history_restore_gets_the_whole_page(admin_client, person):
    headers = {**LOG_TABLE, "HX-History-Restore-Request": "true"}
    assert "<html" in admin_client.get(url(person), headers=headers).content.decode()


def test_it_shows_only_this_users_entries_newest_first(admin_client, person):
    now = timezone.now()
    LogFactory(user=person, key="ExchangeTokenBy.RefreshToken", created_at=now - timedelta(hours=2))
    LogFactory(user=person, key="RevokeToken", created_at=now - timedelta(hours=1))
    LogFactory(user=UserFactory(), key="ExchangeTokenBy.AuthorizationCode")
    body = admin_client.get(url(person), headers=LOG_TABLE).content.decode()
    assert body.index("Revoke token") < body.index("Exchange token by refresh token")
    assert "authorization code" not in body


def test_each_row_shows_result_application_and_time_and_links_to_details(admin_client, person):
    app = ApplicationFactory(name="Acme Web")
    log = LogFactory(user=person, result="Error", application_id=app.pk)
    body = admin_client.get(url(person), headers=LOG_TABLE).content.decode()
    assert '<span class="tag danger">Error</span>' in body
    assert "Acme Web" in body
    assert f'<time datetime="{log.created_at.isoformat()}"' in body
    assert f'title="{log.created_at:%Y-%m-%d %H:%M:%S} UTC"' in body
    assert f'href="/console/users/{person.id}/logs/{log.id}"' in body


def test_a_successful_entry_gets_a_success_tag(admin_client, person):
    LogFactory(user=person, result="Success")
    body = admin_client.get(url(person), headers=LOG_TABLE).content.decode()
    assert '<span class="tag success">Success</span>' in body


def test_a_user_without_entries_sees_an_empty_message(admin_client, person):
    body = admin_client.get(url(person), headers=LOG_TABLE).content.decode()
    assert "No log entries yet." in body
    assert 'class="pagination"' not in body


def test_an_unknown_user_is_404(admin_client):
    assert admin_client.get("/console/users/nosuchuser00/logs").status_code == HTTPStatus.NOT_FOUND


def test_a_viewer_admin_can_read_the_logs(viewer_client, person):
    LogFactory(user=person)
    response = viewer_client.get(url(person))
    assert response.status_code == HTTPStatus.OK
    assert "Submit sign-in interaction" in response.content.decode()


def test_signed_in_non_staff_users_are_refused(client, end_user, person):
    client.force_login(end_user)
    assert client.get(url(person)).status_code == HTTPStatus.FORBIDDEN


def test_staff_without_view_permission_are_refused(client, person):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url(person)).status_code == HTTPStatus.FORBIDDEN


def test_anonymous_visitors_are_sent_to_sign_in(client, person):
    response = client.get(url(person))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/console/sign-in?next=")


def test_anonymous_htmx_requests_redirect_the_whole_window(client, person):
    assert client.get(url(person), headers=LOG_TABLE)["HX-Redirect"].startswith("/console/sign-in")


def test_it_rejects_post(admin_client, person):
    assert admin_client.post(url(person)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
