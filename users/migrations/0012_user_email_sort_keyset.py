"""The email sort's indexes (users.filters.ordering, users.keyset), on PostgreSQL only.

Each direction with NULLs (users without an email) last and the id tie-break, as the name and
sign-in sorts of 0010: a sort by email, and each keyset page of it, is then one index range scan
instead of a sort of every row. SQLite sorts (it cannot declare NULLS LAST in an index).
"""

from django.db import migrations

INDEXES = {
    "user_email_sort": "(primary_email ASC NULLS LAST, id ASC)",
    "user_email_sort_desc": "(primary_email DESC NULLS LAST, id DESC)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON users_user {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("users", "0011_bulk_jobs")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
