# The console-wide log filters by actor: (actor, -created_at, -id) serves those pages as one range
# scan and, by its leading column, the foreign key's lookups that log_actor_fk served.
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_log_user_key'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='log',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor', '-created_at', '-id'], name='log_actor_newest_first'),
        ),
        migrations.RemoveIndex(
            model_name='log',
            name='log_actor_fk',
        ),
    ]
