from django.db import migrations, models


def first_party_skips_consent(apps, schema_editor):
    # Existing applications are first-party: no consent screen (Application.save keeps it so).
    Application = apps.get_model("users", "Application")
    Application.objects.update(skip_authorization=True)
    # ID tokens for the apps users sign in through are signed RS256.
    Application.objects.exclude(type="MachineToMachine").update(algorithm="RS256")


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0008_application_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="is_third_party",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(first_party_skips_consent, migrations.RunPython.noop),
    ]
