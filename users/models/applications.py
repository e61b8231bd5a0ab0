from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from oauth2_provider.models import AbstractApplication

from users.models.access import Pair, Role
from users.models.fields import id_field, link, unique


class Application(AbstractApplication):
    """An OAuth 2.0 / OIDC client users sign in through ("From application").

    Its `type` (Logto's) decides the OAuth client type and grant; `created` is the creation time.
    Client secrets are hashed by oauth2_provider on save; the console shows a new one once (at
    creation and rotation). `secret_rotated_at`: access tokens issued before it are dead.
    """

    class Type(models.TextChoices):
        NATIVE = "Native", "Native"
        SPA = "SPA", "Single-page app"
        TRADITIONAL = "Traditional", "Traditional web"
        MACHINE_TO_MACHINE = "MachineToMachine", "Machine-to-machine"

    # type -> (client_type, authorization_grant_type): browsers and devices can't keep a secret.
    OAUTH_CLIENT = {
        Type.NATIVE: (
            AbstractApplication.CLIENT_PUBLIC,
            AbstractApplication.GRANT_AUTHORIZATION_CODE,
        ),
        Type.SPA: (AbstractApplication.CLIENT_PUBLIC, AbstractApplication.GRANT_AUTHORIZATION_CODE),
        Type.TRADITIONAL: (
            AbstractApplication.CLIENT_CONFIDENTIAL,
            AbstractApplication.GRANT_AUTHORIZATION_CODE,
        ),
        Type.MACHINE_TO_MACHINE: (
            AbstractApplication.CLIENT_CONFIDENTIAL,
            AbstractApplication.GRANT_CLIENT_CREDENTIALS,
        ),
    }

    id = id_field()
    type = models.CharField(max_length=32, choices=Type.choices, default=Type.TRADITIONAL)
    description = models.TextField(blank=True, default="")
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    # Third-party apps ask the user's consent before they get anything; first-party apps never do.
    is_third_party = models.BooleanField(default=False)
    roles = models.ManyToManyField(
        Role, through="ApplicationRole", related_name="applications", blank=True
    )

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=["Native", "SPA", "Traditional", "MachineToMachine"]),
                name="application_type_valid",
            ),
        ]

    def __str__(self):
        return self.name or self.id

    def save(self, *args, **kwargs):
        # oauth2_provider skips its consent screen for `skip_authorization`: first-party apps.
        self.skip_authorization = not self.is_third_party
        # ID tokens of apps users sign in through are signed RS256 (the key in settings).
        self.algorithm = self.RS256_ALGORITHM if self.signs_users_in else self.NO_ALGORITHM
        if (fields := kwargs.get("update_fields")) is not None:
            kwargs["update_fields"] = {*fields, "skip_authorization", "algorithm"}
        super().save(*args, **kwargs)

    def get_allowed_schemes(self):
        """https; plain http only for loopback redirect URIs (RFC 8252, local development)."""
        schemes = list(super().get_allowed_schemes())
        uris = f"{self.redirect_uris} {self.post_logout_redirect_uris}".split()
        if "http" not in schemes and any(_is_loopback_http(uri) for uri in uris):
            schemes.append("http")
        return schemes

    def clean(self):
        super().clean()
        uris = f"{self.redirect_uris} {self.post_logout_redirect_uris}".split()
        remote_http = [
            u for u in uris if u.lower().startswith("http:") and not _is_loopback_http(u)
        ]
        if remote_http and "http" not in super().get_allowed_schemes():
            raise ValidationError(
                {"redirect_uris": "Use https (plain http only for 127.0.0.1, [::1] or localhost)."}
            )

    @property
    def created_at(self):
        return self.created

    @property
    def is_machine_to_machine(self):
        return self.type == self.Type.MACHINE_TO_MACHINE

    @property
    def has_secret(self):
        """A confidential client (Traditional web, machine-to-machine): it has a client secret."""
        return self.client_type == self.CLIENT_CONFIDENTIAL

    @property
    def signs_users_in(self):
        """Whether users sign in through it (so it needs redirect URIs)."""
        return not self.is_machine_to_machine


def _is_loopback_http(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "::1", "localhost"}


class ApplicationRole(Pair):
    """A machine-to-machine role given to a machine-to-machine application."""

    application = link(Application, "role_assignments")
    role = link(Role, "application_assignments")

    class Meta:
        verbose_name = "application role"
        indexes = [models.Index(fields=["role"], name="application_role_role")]
        constraints = [unique(fields=["application", "role"], name="application_role_unique")]
