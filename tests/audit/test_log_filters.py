"""Filters of the log tables: event type, result and time range, as URL parameters."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.audit.factories import LogFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOG_TABLE = {"HX-Request": "true", "HX-Target": "log-table"}


@pytest.fixture
def person():
    return UserFactory()


def table(client, user, **params):
    response = client.get(f"/console/users/{user.id}/logs", params, headers=LOG_TABLE)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_an_event_group_matches_every_key_under_it(admin_client, person):
    LogFactory(user=person, key="Interaction.SignIn.Submit")
    LogFactory(user=person, key="Interaction.SignIn.Verification.Password.Submit")
    LogFactory(user=person, key="ExchangeTokenBy.RefreshToken")
    body = table(admin_client, person, event="Interaction.SignIn.*")
    assert "Submit sign-in interaction" in body and "Verify password (sign-in)" in body
    assert "refresh token" not in body


def test_a_single_key_matches_only_itself(admin_client, person):
    LogFactory(user=person, key="Interaction.SignIn.Submit")
    LogFactory(user=person, key="Interaction.SignIn.Verification.Password.Submit")
    body = table(admin_client, person, event="Interaction.SignIn.Submit")
    assert "Submit sign-in interaction" in body and "Verify password" not in body


def test_a_key_the_menu_lacks_still_filters_and_is_shown_selected(admin_client, person):
    LogFactory(user=person, key="Console.User.Password.Reset")
    LogFactory(user=person, key="Console.User.Suspend")
    body = admin_client.get(
        f"/console/users/{person.id}/logs", {"event": "Console.User.Password.Reset"}
    ).content.decode()
    assert '<option value="Console.User.Password.Reset" selected>Reset user password</option>' in (
        body
    )
    assert "Suspend user</span>" not in body


def test_the_admin_group_shows_console_actions(admin_client, person):
    LogFactory(user=person, key="Console.User.Suspend")
    LogFactory(user=person, key="Interaction.SignIn.Submit")
    body = table(admin_client, person, event="Console.*")
    assert "Suspend user" in body and "Submit sign-in" not in body


def test_result_filters_successes_and_errors(admin_client, person):
    LogFactory(user=person, key="RevokeToken", result="Success")
    LogFactory(user=person, key="RevokeGrants", result="Error")
    body = table(admin_client, person, result="Error")
    assert "Revoke grants" in body and "Revoke token" not in body


def test_the_last_24_hours_leave_out_older_entries(admin_client, person):
    now = timezone.now()
    LogFactory(user=person, key="RevokeToken", created_at=now - timedelta(hours=2))
    LogFactory(user=person, key="RevokeGrants", created_at=now - timedelta(days=2))
    body = table(admin_client, person, period="24h")
    assert "Revoke token" in body and "Revoke grants" not in body
    assert "Revoke grants" in table(admin_client, person, period="7d")


def test_a_date_range_includes_both_whole_days_in_utc(admin_client, person):
    def at(*args):
        return datetime(*args, tzinfo=UTC)

    LogFactory(user=person, key="RevokeToken", created_at=at(2026, 3, 1, 0, 0, 0))
    LogFactory(user=person, key="RevokeGrants", created_at=at(2026, 3, 2, 23, 59, 59, 999999))
    LogFactory(user=person, key="Interaction.SignIn.Submit", created_at=at(2026, 2, 28, 23, 59))
    LogFactory(user=person, key="Interaction.Register.Submit", created_at=at(2026, 3, 3, 0, 0))
    body = table(admin_client, person, start="2026-03-01", end="2026-03-02")
    assert "Revoke token" in body and "Revoke grants" in body
    assert "sign-in" not in body.split("<tbody>")[1]
    assert "registration" not in body.split("<tbody>")[1]


def test_filters_combine_and_an_empty_result_says_so(admin_client, person):
    LogFactory(user=person, key="RevokeToken", result="Success")
    body = table(admin_client, person, event="RevokeToken", result="Error")
    assert "No log entries match these filters." in body


def test_the_form_keeps_the_chosen_filters(admin_client, person):
    body = admin_client.get(
        f"/console/users/{person.id}/logs",
        {"event": "ExchangeTokenBy.*", "result": "Error", "period": "7d", "start": "2026-01-05"},
    ).content.decode()
    assert '<option value="ExchangeTokenBy.*" selected>' in body
    assert '<option value="Error" selected>' in body
    assert '<option value="7d" selected>' in body
    assert 'name="start" value="2026-01-05"' in body


def test_the_filter_form_works_without_javascript_and_updates_with_htmx(admin_client, person):
    body = admin_client.get(f"/console/users/{person.id}/logs").content.decode()
    assert f'method="get" action="/console/users/{person.id}/logs"' in body
    assert 'hx-target="#log-table"' in body and 'hx-push-url="true"' in body
    assert '<noscript><button type="submit">Filter</button></noscript>' in body


@pytest.mark.parametrize(
    "params",
    [
        {"event": "<script>"},
        {"event": "interaction.signin"},
        {"event": "A" * 200},
        {"result": "Maybe"},
        {"period": "1y"},
        {"start": "2026-13-01"},
        {"end": "yesterday"},
        {"start": "2026-03-02", "end": "2026-03-01"},
        {"event": "Interaction\x00SignIn"},
    ],
)
def test_nonsense_parameters_get_400_not_500(admin_client, person, params):
    response = admin_client.get(f"/console/users/{person.id}/logs", params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="error"' in response.content.decode()


def test_nonsense_in_an_htmx_request_gets_the_fragment_with_the_error(admin_client, person):
    response = admin_client.get(
        f"/console/users/{person.id}/logs", {"result": "Maybe"}, headers=LOG_TABLE
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="log-table"')
    assert "Select a valid choice" in body
