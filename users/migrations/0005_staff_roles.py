# Console staff roles: the "Viewer" and "Editor" groups with their permissions ("Admin" is
# is_superuser), and when each member joined (existing staff: when their account was created).

from django.db import migrations, models

VIEW_MODELS = {
    "users": (
        "user",
        "identity",
        "ssoidentity",
        "mfafactor",
        "personalaccesstoken",
        "apiresource",
        "scope",
        "role",
        "userrole",
        "organization",
        "organizationrole",
        "membership",
        "application",
    ),
    "audit": ("log",),
}
VIEWER = [(app, f"view_{model}") for app, models_ in VIEW_MODELS.items() for model in models_]
EDITOR = VIEWER + [
    ("users", f"{verb}_{model}")
    for model in ("user", "userrole", "membership")
    for verb in ("add", "change", "delete")
]
GROUPS = {"Viewer": VIEWER, "Editor": EDITOR}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after migrate (post_migrate); a fresh database has none yet.
    for label in ("users", "audit"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        query = models.Q(pk__in=[])
        for app, codename in wanted:
            query |= models.Q(content_type__app_label=app, codename=codename)
        group.permissions.add(*Permission.objects.filter(query))

    User = apps.get_model("users", "User")
    User.objects.filter(models.Q(is_staff=True) | models.Q(is_superuser=True)).filter(
        staff_since__isnull=True
    ).update(staff_since=models.F("created_at"))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("audit", "0004_log_user_key"),
        ("users", "0004_access"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="staff_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(create_groups, remove_groups),
    ]
