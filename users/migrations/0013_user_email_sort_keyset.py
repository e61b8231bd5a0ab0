"""The email sort's indexes (users.filters.ordering, users.keyset), on PostgreSQL only.

Each direction with NULLs (users without an email) last and the id tie-break, as the name and
sign-in sorts of 0010: a sort by email, and each keyset page of it, is then one index range scan
instead of a sort of every row. SQLite sorts (it cannot declare NULLS LAST in an index).
"""

import functools

from django.db import migrations

INDEXES = {
    "user_email_sort": "(primary_email ASC NULLS LAST, id ASC)",
    "user_email_sort_desc": "(primary_email DESC NULLS LAST, id DESC)",
}


def indexes(apps, schema_editor, *, drop=False):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        create = f"CREATE INDEX IF NOT EXISTS {name} ON users_user {definition}"
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}" if drop else create)


class Migration(migrations.Migration):
    dependencies = [("users", "0012_import_jobs")]

    operations = [
        migrations.RunPython(indexes, functools.partial(indexes, drop=True), elidable=False)
    ]
