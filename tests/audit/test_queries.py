"""audit.queries: filters, keyset pages and the Management API's offset pages (spec §5.1, §6.16)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.queries import (
    API_COUNT_CAP,
    Cursor,
    InvalidLogQuery,
    LogFilter,
    api_log_page,
    distinct_keys,
    get_log,
    keyset_page,
    logs,
    parse_flag,
)
from tests.audit.factories import LogFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def spaced(count, **fields):
    now = timezone.now()
    return [LogFactory(created_at=now - timedelta(seconds=i), **fields) for i in range(count)]


def test_a_cursor_survives_the_round_trip_to_the_microsecond():
    at = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    cursor = Cursor.decode(Cursor(at, "abc123").encode())
    assert cursor == Cursor(at, "abc123")


@pytest.mark.parametrize("text", ["", "x", "1.", ".a", "1.a.b", "1.ab cd", "9" * 19 + ".a"])
def test_a_cursor_we_did_not_write_is_refused(text):
    with pytest.raises(ValueError):
        Cursor.decode(text)


def test_keyset_pages_read_older_and_newer():
    rows = spaced(7)
    first = keyset_page(size=3)
    assert first.logs == rows[:3] and not first.has_newer and first.has_older
    second = keyset_page(before=Cursor.decode(first.older_cursor), size=3)
    assert second.logs == rows[3:6] and second.has_newer and second.has_older
    last = keyset_page(before=Cursor.decode(second.older_cursor), size=3)
    assert last.logs == rows[6:] and last.has_newer and not last.has_older
    back = keyset_page(after=Cursor.decode(last.newer_cursor), size=3)
    assert back.logs == rows[3:6] and back.has_newer and back.has_older


def test_both_cursors_at_once_are_refused():
    cursor = Cursor(timezone.now(), "a")
    with pytest.raises(ValueError):
        keyset_page(before=cursor, after=cursor)


def test_filters_combine():
    user = UserFactory()
    wanted = LogFactory(user=user, key="Interaction.SignIn.Submit", result="Error")
    LogFactory(user=user, key="Interaction.SignIn.Submit", result="Success")
    LogFactory(user=user, key="ExchangeTokenBy.RefreshToken", result="Error")
    LogFactory(key="Interaction.SignIn.Submit", result="Error")
    found = logs(LogFilter(user_id=user.pk, key="Interaction.SignIn.*", result="Error"))
    assert list(found) == [wanted]


def test_a_prefix_group_does_not_treat_like_wildcards_as_patterns():
    LogFactory(key="Console.User.Suspend")
    assert not logs(LogFilter(key="Console_User.*")).exists()


def test_the_time_bounds_are_inclusive():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    log = LogFactory(created_at=at)
    assert list(logs(LogFilter(since=at, until=at))) == [log]


def test_get_log_only_finds_the_users_own_entry():
    user = UserFactory()
    log = LogFactory(user=user)
    assert get_log(log.id) == log
    assert get_log(log.id, user_id=user.pk) == log
    assert get_log(log.id, user_id="someoneelse") is None
    assert get_log("nosuch") is None


def test_api_pages_by_offset_and_counts():
    rows = spaced(5, key="RevokeToken")
    page = api_log_page(page=2, page_size=2)
    assert page.logs == rows[2:4]
    assert (page.total, page.capped, page.last_page) == (5, False, 3)
    assert api_log_page(page=9, page_size=2).logs == []


def test_api_lists_only_logto_keys_unless_asked_for_admin_actions():
    LogFactory(key="Console.User.Suspend")
    LogFactory(key="ManagementApi.User.Delete")
    end_user = LogFactory(key="ExchangeTokenBy.RefreshToken")
    assert api_log_page().logs == [end_user]
    assert api_log_page(include_admin_actions=True).total == 3


def test_api_filters_by_user_application_and_exact_key():
    user = UserFactory()
    wanted = LogFactory(user=user, application_id="app1", key="Interaction.SignIn.Submit")
    LogFactory(user=user, application_id="app2", key="Interaction.SignIn.Submit")
    LogFactory(user=user, application_id="app1", key="Interaction.SignIn.Create")
    page = api_log_page(user_id=user.pk, application_id="app1", log_key="Interaction.SignIn.Submit")
    assert page.logs == [wanted]
    assert api_log_page(log_key="Interaction.SignIn.*").logs == []  # exact, not a group


def test_api_time_window_is_epoch_milliseconds_inclusive():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    log = LogFactory(key="RevokeToken", created_at=at)
    ms = int(at.timestamp() * 1000)
    assert api_log_page(start_time=str(ms), end_time=str(ms)).logs == [log]
    assert api_log_page(start_time=ms + 1).logs == []


def test_api_count_cap_reports_one_more_and_says_capped(monkeypatch):
    monkeypatch.setattr("audit.queries.API_COUNT_CAP", 3)
    spaced(5, key="RevokeToken")
    page = api_log_page(enable_cap="true")
    assert (page.total, page.capped, page.last_page) == (4, True, None)
    assert api_log_page(enable_cap="no").total == 5
    assert API_COUNT_CAP == 10_000


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"page": "0"}, "guard.invalid_pagination"),
        ({"page": "-1"}, "guard.invalid_pagination"),
        ({"page": "x"}, "guard.invalid_pagination"),
        ({"page_size": "101"}, "guard.invalid_pagination"),
        ({"page_size": "0"}, "guard.invalid_pagination"),
        ({"start_time": "yesterday"}, "guard.invalid_input"),
        ({"end_time": "9" * 30}, "guard.invalid_input"),
        ({"start_time": "2000", "end_time": "1000"}, "log.invalid_time_window"),
    ],
)
def test_api_refuses_bad_queries_with_logtos_codes(params, code):
    with pytest.raises(InvalidLogQuery) as error:
        api_log_page(**params)
    assert error.value.code == code


def test_api_ignores_empty_strings():
    LogFactory(key="RevokeToken")
    page = api_log_page(user_id="", application_id="", log_key="", start_time="", page="")
    assert page.total == 1 and page.page == 1 and page.page_size == 20


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("TRUE", True), ("yep", True), ("yeah", True), ("no", False), (None, False)],
)
def test_flags_follow_logtos_truthy_words(value, expected):
    assert parse_flag(value) is expected


def test_distinct_keys_lists_each_key_once():
    LogFactory.create_batch(3, key="RevokeToken")
    LogFactory(key="Console.User.Suspend")
    assert sorted(distinct_keys()) == ["Console.User.Suspend", "RevokeToken"]


def test_a_group_without_any_key_matches_nothing_without_reading_rows(
    django_assert_num_queries,
):
    LogFactory(key="RevokeToken")
    with django_assert_num_queries(1):  # the list of keys, then no row query at all
        assert list(logs(LogFilter(key="System.*"))) == []


def test_the_log_id_has_no_pattern_index_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'audit_log'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert definitions and not any("pattern_ops" in d for d in definitions)


@pytest.mark.parametrize("few", [2_000, 2], ids=["few: sorted", "many: walked"])
def test_a_users_event_pages_the_same_whether_sorted_or_walked(monkeypatch, few):
    monkeypatch.setattr("audit.queries.FEW_MATCHES", few)
    user = UserFactory()
    now = timezone.now()
    wanted = [
        LogFactory(user=user, key="RevokeToken", created_at=now - timedelta(seconds=i))
        for i in range(7)
    ]
    LogFactory(user=user, key="RevokeGrants")
    LogFactory(key="RevokeToken")
    log_filter = LogFilter(user_id=user.pk, key="RevokeToken")
    first = keyset_page(log_filter, size=3)
    second = keyset_page(log_filter, before=Cursor.decode(first.older_cursor), size=3)
    last = keyset_page(log_filter, before=Cursor.decode(second.older_cursor), size=3)
    back = keyset_page(log_filter, after=Cursor.decode(last.newer_cursor), size=3)
    assert first.logs + second.logs + last.logs == wanted
    assert back.logs == second.logs and not last.has_older and first.has_older


def test_an_event_a_user_never_had_reads_no_rows(django_assert_num_queries):
    user = UserFactory()
    LogFactory(user=user, key="RevokeGrants")
    LogFactory(key="RevokeToken")
    with django_assert_num_queries(1):  # the capped count in the (user_ref, key) index
        page = keyset_page(LogFilter(user_id=user.pk, key="RevokeToken"))
    assert page.logs == [] and not page.has_older and not page.has_newer


def test_a_group_looks_its_keys_up_once_per_page(django_assert_num_queries):
    user = UserFactory()
    LogFactory(user=user, key="Interaction.SignIn.Submit")
    with django_assert_num_queries(3):  # the keys, the capped count, the page
        page = keyset_page(LogFilter(user_id=user.pk, key="Interaction.SignIn.*"))
    assert len(page.logs) == 1
