from django.db import models
from oauth2_provider.models import AbstractApplication

from users.ids import generate_long_id


class Application(AbstractApplication):
    """An OAuth 2.0 / OIDC client users sign in through ("From application")."""

    class Type(models.TextChoices):
        NATIVE = "Native", "Native"
        SPA = "SPA", "Single-page app"
        TRADITIONAL = "Traditional", "Traditional web"
        MACHINE_TO_MACHINE = "MachineToMachine", "Machine-to-machine"

    id = models.CharField(primary_key=True, max_length=21, default=generate_long_id, editable=False)
    type = models.CharField(max_length=32, choices=Type.choices, default=Type.TRADITIONAL)
    description = models.TextField(blank=True, default="")

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    def __str__(self):
        return self.name or self.id
