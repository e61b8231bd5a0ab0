"""What an end user is signed in with, beyond what django-oauth-toolkit stores.

One table, two kinds of row, both listed on the user's Sessions tab and under /api/users/:id/sessions:

- a **browser** session: the end user signed in at /sign-in; keyed by the Django session key of
  that browser, so ending it deletes the Django session (the browser is signed out at once);
- a **grant**: what one application holds for the user (its codes, access, refresh and ID tokens in
  oauth2_provider's tables), one active row per (user, application) as Logto's grants are; ending
  it revokes every one of those tokens.

DOT keeps no IP, user agent or "last used": these rows do. A row is active while `ended_at` is
NULL; an ended row is never reopened (a new sign-in makes a new row), so reactivating a suspended
user revives nothing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from users.ids import generate_long_id


class EndUserSession(models.Model):
    class Kind(models.TextChoices):
        BROWSER = "browser", "Sign-in session"
        GRANT = "grant", "Application grant"

    id = models.CharField(primary_key=True, max_length=21, default=generate_long_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="end_user_sessions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The application signed in to (browser: the one the sign-in was for, if any).
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="end_user_sessions",
    )
    # Browser rows only: the Django session key (never shown, never audited).
    session_key = models.CharField(max_length=40, blank=True, default="", db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Why it ended: "revoked", "signed_out", "suspended", "password", "lock_down", "expired".
    end_reason = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at", "-last_used_at"], name="session_user")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application"],
                condition=Q(kind="grant", ended_at__isnull=True),
                name="one_active_grant_per_app",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
