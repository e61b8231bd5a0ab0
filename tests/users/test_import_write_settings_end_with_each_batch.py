"""On PostgreSQL each batch's transaction sets its own write settings (commits that do not wait
for the WAL flush, a large GIN pending list): they end with the batch, so the connection a worker
or the console goes on using is back to the server's settings, and what the GIN pending lists
held is merged before the run returns (searches find every imported user)."""

import io

import pytest
from django.db import connection

from audit.recorder import Origin
from users import search, transfer, transfer_pg

pytestmark = [
    pytest.mark.django_db(transaction=True),  # SET LOCAL lasts to the end of the outer transaction
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's write settings"),
]


def _settings():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting(name) FROM unnest(%s::text[]) name",
            [list(transfer_pg.WRITE_SETTINGS)],
        )
        return [value for (value,) in cursor.fetchall()]


def test_the_settings_are_back_to_the_servers_after_an_import():
    before = _settings()
    content = "username,name\n" + "".join(f"quill{n},Quill Ambersmith{n}\n" for n in range(30))
    report = transfer.run_import(
        lambda: io.BytesIO(content.encode()),
        transfer.CSV,
        origin=Origin.system("test"),
        batch_size=7,
    )
    assert report.created == 30
    assert _settings() == before
    assert before[0] == "on"  # synchronous_commit: the server's default, not the import's "off"


def test_a_batch_runs_with_the_write_settings():
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        transfer_pg._tune(cursor)
        assert _settings() == ["off", "64MB", "64MB", "256MB"]
        cursor.execute("ROLLBACK")


def test_the_gin_pending_lists_are_merged_before_the_run_returns():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pgstattuple'")
        if cursor.fetchone() is None:
            pytest.skip("pgstattuple (PostgreSQL's contrib) is not installed")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
    content = "username,name,custom_data\n" + "".join(
        f'zorb{n},Zorbalina Quaint,"{{""n"": {n}}}"\n' for n in range(25)
    )
    transfer.run_import(
        lambda: io.BytesIO(content.encode()), transfer.CSV, origin=Origin.system("test")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pending_pages FROM pgstatginindex('user_search_trgm')"
            " UNION ALL SELECT pending_pages FROM pgstatginindex('user_custom_data_gin')"
        )
        assert [pages for (pages,) in cursor.fetchall()] == [0, 0]
    result = search.search_users("zorbalina", page=1, page_size=50)
    assert len(result.users) == 25
