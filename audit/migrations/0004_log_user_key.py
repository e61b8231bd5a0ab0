from django.db import migrations, models


def drop_id_pattern_index(apps, schema_editor):
    """On PostgreSQL Django adds a varchar_pattern_ops index to a CharField primary key for LIKE
    queries. Nobody searches log ids by pattern: the index only costs space and insert time."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("audit", "Log")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s"
            " AND indexdef LIKE %s",
            [table, "%\\_like", "%varchar_pattern_ops%"],
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_log_indexes_and_encoder'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='log',
            index=models.Index(fields=['user_ref', 'key'], name='log_user_key'),
        ),
        migrations.RunPython(drop_id_pattern_index, migrations.RunPython.noop),
    ]
