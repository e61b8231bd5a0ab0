"""A big seed into an empty table drops the user table's secondary indexes and builds them again
(side by side on PostgreSQL): the same indexes and constraints come back."""

import pytest
from django.core.management import call_command
from django.db import connection

from users.management.commands import seed_demo
from users.models import User


def indexes() -> set[tuple]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name = %s AND type = 'index'",
                [User._meta.db_table],
            )
            return set(cursor.fetchall())
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
            " UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass",
            [User._meta.db_table, User._meta.db_table],
        )
        return set(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_big_seed_into_an_empty_table_gives_back_every_index(monkeypatch):
    monkeypatch.setattr(seed_demo, "REBUILD_INDEXES_FROM", 20)
    before = indexes()
    call_command("seed_demo", users=30, seed=1, skip_access=True, log_users=0)
    assert User.objects.count() == 30
    assert indexes() == before
