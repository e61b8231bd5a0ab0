"""Indexes for the user table's facets and sort (users/filters.py), on PostgreSQL only.

- `user_last_sign_in`, `user_last_sign_in_asc`, `user_name`, `user_name_desc`: the sortable
  headers (latest sign-in, name), each direction with NULLs (and empty names) last and the id
  tie-break, as users.filters.ordering writes them (a B-tree read backwards would put NULLs
  first). Email sorts have no index. SQLite cannot declare NULLS LAST in an index; it sorts.
- `user_suspended`: a small partial index, newest first, of the suspended users: their count
  and first page without walking the whole table when they are rare.
- `user_custom_data_gin`: GIN on custom_data, which serves the custom-data facet's `@>`
  (key = value) and `?` (key exists). The default jsonb_ops, not jsonb_path_ops: path_ops
  cannot answer "key exists" (measured at 100,000 users: its bitmap returned every row, 155 ms,
  against well under a millisecond). SQLite filters the rows the other conditions leave.

Raw SQL, not Meta.indexes, so the SQLite schema stays as it is (see 0006 for the same pattern).
"""

from django.db import migrations

INDEXES = {
    "user_last_sign_in": "(last_sign_in_at DESC NULLS LAST, id DESC)",
    "user_last_sign_in_asc": "(last_sign_in_at ASC NULLS LAST, id ASC)",
    "user_name": "(NULLIF(name, '') ASC NULLS LAST, id ASC)",
    "user_name_desc": "(NULLIF(name, '') DESC NULLS LAST, id DESC)",
    "user_suspended": "(created_at DESC, id DESC) WHERE is_suspended",
    "user_custom_data_gin": "USING gin (custom_data)",
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
