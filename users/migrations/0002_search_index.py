"""The keyword-search index: a pg_trgm GIN index on users_user.search_text on PostgreSQL.

SQLite has no trigram index type; its LIKE over the one lower-cased column is what it runs.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS user_search_trgm ON users_user USING gin (search_text gin_trgm_ops)"
DROP = "DROP INDEX IF EXISTS user_search_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
