"""Who did it: the Actor column of both log tables, and the console-wide log's user and actor
filters (an id, or a username or email that names one), kept in the URL and its page links."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.utils import timezone

from audit.queries import LogFilter, logs
from tests.audit.factories import LogFactory
from tests.factories import SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/console/audit-logs"
LOG_TABLE = {"HX-Request": "true", "HX-Target": "log-table"}


@pytest.fixture
def cast():
    ann = UserFactory(username="ann", primary_email="ann@example.com")
    bob = UserFactory(username="bob", primary_email="bob@example.com")
    grace = SuperuserFactory(username="grace", name="Grace Admin")
    LogFactory(user=ann, key="Console.User.Suspend", actor=grace, actor_label="Grace Admin")
    LogFactory(user=bob, key="Console.User.Delete", actor=grace, actor_label="Grace Admin")
    LogFactory(user=ann, key="Interaction.SignIn.Submit")  # ann herself
    return ann, bob, grace


def rows(client, **params):
    response = client.get(URL, params, headers=LOG_TABLE)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.content.decode().split("<tbody>")[1]


def test_the_actor_column_names_the_admin_and_links_to_them(admin_client, cast):
    ann, bob, grace = cast
    body = admin_client.get(URL).content.decode()
    assert '<th scope="col">Actor</th>' in body
    assert f'<a href="/console/users/{grace.id}">Grace Admin</a>' in body
    assert '<span class="identifier">Admin</span>' in body
    assert "End user" in body  # ann's own sign-in


def test_the_users_logs_tab_has_the_actor_column_too(admin_client, cast):
    ann, bob, grace = cast
    body = admin_client.get(f"/console/users/{ann.id}/logs").content.decode()
    assert '<th scope="col">Actor</th>' in body and "Grace Admin" in body


@pytest.mark.parametrize("named_by", ["id", "username", "primary_email"])
def test_the_user_filter_takes_an_id_username_or_email(admin_client, cast, named_by):
    ann, bob, grace = cast
    body = rows(admin_client, user=getattr(ann, named_by).upper() if named_by != "id" else ann.id)
    assert "Suspend user" in body and "Delete user" not in body


def test_the_actor_filter_shows_only_what_that_admin_did(admin_client, cast):
    ann, bob, grace = cast
    body = rows(admin_client, actor="grace")
    assert "Suspend user" in body and "Delete user" in body
    assert "sign-in" not in body.lower()


def test_user_and_actor_combine_with_action_and_dates(admin_client, cast):
    ann, bob, grace = cast
    LogFactory(
        user=ann,
        key="Console.User.Suspend",
        actor=grace,
        actor_label="Grace Admin",
        created_at=timezone.now() - timedelta(days=40),
    )
    today = timezone.now().date().isoformat()
    body = rows(
        admin_client, user=ann.id, actor=grace.id, event="Console.User.Suspend", start=today
    )
    assert body.count("Suspend user") == 1


def test_an_id_of_a_deleted_user_still_finds_their_entries(admin_client, cast):
    ann, bob, grace = cast
    ann_id = ann.id
    ann.delete()
    body = rows(admin_client, user=ann_id)
    assert "Suspend user" in body and "(deleted)" in body


def test_a_name_that_is_nobody_is_a_400_with_the_table_and_its_error(admin_client, cast):
    response = admin_client.get(URL, {"actor": "nobody@example.com"}, headers=LOG_TABLE)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="log-table"')
    assert "No user has this id, username or email." in body


def test_filters_stay_in_the_page_links(admin_client, cast):
    ann, bob, grace = cast
    for _ in range(25):
        LogFactory(user=bob, key="Console.User.Update", actor=grace, actor_label="Grace Admin")
    body = (
        rows(admin_client, actor=grace.id)
        + admin_client.get(URL, {"actor": grace.id}, headers=LOG_TABLE).content.decode()
    )
    assert f"actor={grace.id}" in body and "before=" in body


def test_the_filter_form_keeps_what_was_typed(admin_client, cast):
    body = admin_client.get(URL, {"user": "ann", "actor": "grace"}).content.decode()
    assert 'name="user" value="ann"' in body and 'name="actor" value="grace"' in body


def test_the_users_tab_has_an_actor_filter_but_no_user_filter(admin_client, cast):
    ann, bob, grace = cast
    body = admin_client.get(f"/console/users/{ann.id}/logs", {"actor": "grace"}).content.decode()
    assert 'name="actor"' in body and 'name="user"' not in body
    table = body.split("<tbody>")[1]
    assert "Suspend user" in table and "sign-in" not in table.lower()


def test_an_admins_newest_entries_are_one_index_range_scan_on_postgresql(cast):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    ann, bob, grace = cast
    query = logs(LogFilter(actor_id=grace.id))[:20]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "log_actor_newest_first" in plan and "Sort" not in plan
