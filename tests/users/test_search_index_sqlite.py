"""SQLite's FTS5 trigram index follows every write to the user table (users/sqlite_fts.py)."""

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.recorder import Origin
from tests.factories import UserFactory
from users import search, services, sqlite_fts
from users.management.commands import seed_demo
from users.models import User
from users.search import search_users

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only"
    ),
]
ORIGIN = Origin("Console")


def indexed(term: str) -> set[str]:
    """Ids of the users the FTS table alone finds for `term`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.id FROM users_user u JOIN {sqlite_fts.TABLE} f ON f.rowid = u.rowid"
            f" WHERE {sqlite_fts.TABLE} MATCH %s",
            [sqlite_fts.match_query([term])],
        )
        return {user_id for (user_id,) in cursor.fetchall()}


def missing_triggers() -> set[str]:
    with connection.cursor() as cursor:
        return sqlite_fts.missing_triggers(cursor)


def assert_index_mirrors_the_table():
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {sqlite_fts.TABLE} f"
            " LEFT JOIN users_user u ON u.rowid = f.rowid"
            " WHERE u.search_text IS NOT f.search_text"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(f"SELECT count(*) FROM {sqlite_fts.TABLE}")
        assert cursor.fetchone()[0] == User.objects.count()
        # FTS5's own check: its trigram index agrees with the text it stores.
        cursor.execute(
            f"INSERT INTO {sqlite_fts.TABLE}({sqlite_fts.TABLE}) VALUES ('integrity-check')"
        )


def test_a_created_user_is_in_the_index():
    created = services.create_user(
        origin=ORIGIN, username="quentin_q", primary_email="q.quackenbush@example.com", name="Q Q"
    )
    assert indexed("quackenbush") == {created.user.id}
    assert_index_mirrors_the_table()


def test_an_edited_user_is_found_by_the_new_text_only():
    user = UserFactory(name="Vivienne Oldname")
    services.update_profile(user, origin=ORIGIN, name="Vivienne Newname")
    services.update_identifiers(
        user, origin=ORIGIN, primary_email="vivi@corp.example", confirm_lockout=True
    )
    assert indexed("oldname") == set()
    assert indexed("newname") == indexed("vivi@corp") == {user.id}
    assert_index_mirrors_the_table()


def test_a_deleted_user_leaves_the_index():
    keep, gone = UserFactory(name="Ann Keeper"), UserFactory(name="Ann Leaver")
    services.delete_user(gone, origin=ORIGIN)
    assert indexed("ann") == {keep.id}
    assert_index_mirrors_the_table()


def rows_written(action) -> int:
    """Rows `action` wrote, counting those the triggers wrote (SQLite's total_changes())."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_changes()")
        before = cursor.fetchone()[0]
        action()
        cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0] - before


def test_a_save_that_leaves_the_text_alone_does_not_reindex():
    user = UserFactory(name="Steady Name")
    user.is_suspended = True
    # User.save() writes search_text on every save, a sign-in's last_login too.
    assert rows_written(lambda: user.save(update_fields=["is_suspended"])) == 1
    user.name = "Steady Rename"
    assert rows_written(lambda: user.save(update_fields=["name"])) > 1
    assert indexed("rename") == {user.id}
    assert_index_mirrors_the_table()


def test_a_small_seed_is_indexed_row_by_row_by_the_triggers():
    call_command("seed_demo", users=300, seed=5, skip_access=True, stdout=StringIO())
    assert_index_mirrors_the_table()
    assert missing_triggers() == set()


def test_a_bulk_seed_into_an_empty_table_refills_the_index_once(monkeypatch):
    monkeypatch.setattr(seed_demo, "REBUILD_INDEXES_FROM", 100)
    call_command("seed_demo", users=400, seed=6, skip_access=True, stdout=StringIO())
    assert_index_mirrors_the_table()
    # The triggers are back: later writes are indexed again.
    assert missing_triggers() == set()
    user = UserFactory(name="Late Arrival")
    assert indexed("arrival") == {user.id}
    assert_index_mirrors_the_table()


def test_a_bulk_seed_restores_the_indexes_it_dropped(monkeypatch):
    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users_user'"
            )
            return set(cursor.fetchall())

    before = indexes()
    monkeypatch.setattr(seed_demo, "REBUILD_INDEXES_FROM", 100)
    call_command("seed_demo", users=150, seed=7, skip_access=True, stdout=StringIO())
    assert indexes() == before


def test_lost_triggers_are_restored_and_the_index_refilled_after_migrate():
    # What a later migration that rebuilds users_user on SQLite leaves behind.
    with connection.cursor() as cursor:
        sqlite_fts.drop_triggers(cursor)
    unseen = UserFactory(name="Written Meanwhile")
    assert indexed("meanwhile") == set()
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert missing_triggers() == set()
    assert indexed("meanwhile") == {unseen.id}
    assert_index_mirrors_the_table()


def test_the_migration_removes_the_index_and_builds_it_again_from_the_users():
    user = UserFactory(name="Migrated Person")
    migration = importlib.import_module("users.migrations.0006_sqlite_search_fts")
    schema_editor = SimpleNamespace(connection=connection)
    migration.backwards(None, schema_editor)
    with connection.cursor() as cursor:
        assert not sqlite_fts.is_installed(cursor)
    assert missing_triggers() == set(sqlite_fts.TRIGGERS)
    migration.forwards(None, schema_editor)
    assert indexed("migrated") == {user.id}
    assert_index_mirrors_the_table()


def test_searches_go_through_the_fts_table_and_short_terms_scan():
    UserFactory(name="Planned Person")

    with CaptureQueriesContext(connection) as rare:
        search_users("planned")
    assert all(sqlite_fts.TABLE in q["sql"] for q in rare.captured_queries)
    assert not any("LIKE" in q["sql"] for q in rare.captured_queries)
    with CaptureQueriesContext(connection) as short:
        search_users("pl")
    assert not any(sqlite_fts.TABLE in q["sql"] for q in short.captured_queries)
    assert ["planned person" in u.search_text for u in search_users("pl").users] == [True]


def test_a_filtered_search_counts_through_the_users_and_finds_the_same():
    shown = UserFactory(name="Filter Smith")
    UserFactory(name="Filter Smith", is_suspended=True)
    page = search_users("filter smith", queryset=User.objects.filter(is_suspended=False))
    assert [u.id for u in page.users] == [shown.id]
    assert page.total == 1


def test_a_search_inside_a_subquery_tests_the_subquery_rows():
    first, second = UserFactory(name="Nested Search"), UserFactory(name="Nested Search")
    UserFactory(name="Someone Else")
    inner = search._filter_terms(User.objects.all(), ["nested"]).values("pk")
    outer = User.objects.filter(pk__in=inner)
    assert '"U0".rowid IN' in str(outer.query)  # Django renames the inner table; so does the lookup
    assert set(outer.values_list("id", flat=True)) == {first.id, second.id}
