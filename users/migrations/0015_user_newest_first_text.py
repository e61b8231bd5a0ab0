"""The newest-first walk of a keyword search reads one index, not the table (PostgreSQL only).

Many hits (more than COUNT_CAP) are paged by walking newest first and testing each row's
search_text (users.search): through `user_newest_first` that is one heap fetch per row walked,
~1,400 buffers for page 1 of "smith" at 1,000,000 users, ~2,700 for page 2. This index carries
search_text and last_sign_in_at (the inactive facet) in its leaves: the walk is an index-only
scan that yields the page's ids, then only the page's rows are read. search_text is bounded by
its fields' varchar(128)s: ~2,630 bytes even with every character 4 bytes, under the B-tree's
2,704-byte row limit.
"""

import functools

from django.db import migrations

NAME = "user_newest_first_text"
DEFINITION = "(created_at DESC, id DESC) INCLUDE (search_text, last_sign_in_at)"


def index(apps, schema_editor, *, drop=False):
    if schema_editor.connection.vendor != "postgresql":
        return
    create = f"CREATE INDEX IF NOT EXISTS {NAME} ON users_user {DEFINITION}"
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}" if drop else create)


class Migration(migrations.Migration):
    dependencies = [("users", "0014_import_set_aside_indexes")]

    operations = [
        migrations.RunPython(index, functools.partial(index, drop=True), elidable=False)
    ]
