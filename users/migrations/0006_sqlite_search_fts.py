"""The keyword-search index on SQLite: an FTS5 trigram table kept in step by triggers.

PostgreSQL has its pg_trgm index since 0002; this migration does nothing there. See
users/sqlite_fts.py for the table, the triggers and why they are shaped so.
"""

from django.db import migrations

from users import sqlite_fts


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_fts.install(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_fts.uninstall(cursor)


class Migration(migrations.Migration):
    dependencies = [("users", "0005_staff_roles")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
