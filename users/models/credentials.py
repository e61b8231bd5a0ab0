"""What a user signs in with besides identifiers and a password: social and enterprise identities,
MFA factors and personal access tokens."""

from django.db import models
from django.utils import timezone

from users.models.fields import id_field, owner


class Identity(models.Model):
    """A social connection (Logto's `identities[target]`): one per target per user."""

    id = id_field()
    user = owner("identities")
    target = models.CharField(max_length=64)
    external_user_id = models.CharField(max_length=256)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target"]
        constraints = [
            models.UniqueConstraint(fields=["user", "target"], name="identity_one_per_target"),
            models.UniqueConstraint(
                fields=["target", "external_user_id"], name="identity_external_unique"
            ),
        ]

    def __str__(self):
        return f"{self.target} · {self.external_user_id}"


class SsoIdentity(models.Model):
    """An enterprise SSO identity; read-only in the console."""

    id = id_field()
    user = owner("sso_identities")
    issuer = models.CharField(max_length=256)
    identity_id = models.CharField(max_length=128)
    connector_id = models.CharField(max_length=128, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["issuer"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "identity_id"], name="sso_identity_unique")
        ]

    def __str__(self):
        return f"{self.issuer} · {self.identity_id}"


class MfaFactor(models.Model):
    """An enrolled second factor. Secret material is never shown after enrolment."""

    class Type(models.TextChoices):
        TOTP = "Totp", "Authenticator app"
        WEBAUTHN = "WebAuthn", "Passkey"
        BACKUP_CODE = "BackupCode", "Backup codes"

    id = id_field()
    user = owner("mfa_factors")
    type = models.CharField(max_length=16, choices=Type.choices)
    name = models.CharField(max_length=128, blank=True, default="")
    # Non-secret facts for display: a passkey's agent, how many backup codes remain.
    details = models.JSONField(default=dict, blank=True)
    # Stored as the factor needs it (e.g. hashed backup codes); never rendered or audited.
    secret = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name or self.get_type_display()


class PersonalAccessToken(models.Model):
    """A long-lived token a user (or a program acting as them) presents; only its SHA-256 is kept."""

    id = id_field()
    user = owner("access_tokens")
    name = models.CharField(max_length=256)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="pat_name_unique_per_user")
        ]

    def __str__(self):
        return self.name

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()
