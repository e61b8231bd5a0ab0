"""Indexes for the user table's facets and sort (users/filters.py), on PostgreSQL only.

- `user_last_sign_in`: the table sorted by latest sign-in, newest first, NULLs last, id
  tie-break (SQLite cannot declare NULLS LAST in an index; it sorts the rows instead).
- `user_custom_data_gin`: GIN (jsonb_path_ops) on custom_data, which serves the custom-data
  facet's `@>` (key = value) and `@?` (key exists). SQLite filters the rows the other
  conditions leave.

Raw SQL, not Meta.indexes, so the SQLite schema stays as it is (see 0006 for the same pattern).
"""

from django.db import migrations

INDEXES = {
    "user_last_sign_in": "(last_sign_in_at DESC NULLS LAST, id DESC)",
    "user_custom_data_gin": "USING gin (custom_data jsonb_path_ops)",
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
    dependencies = [("users", "0009_application_third_party")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
