from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


def _generate_log_id():
    # Imported lazily: audit sits below users and must not import it at module level.
    import secrets
    import string

    alphabet = string.digits + string.ascii_lowercase
    return "".join(secrets.choice(alphabet) for _ in range(21))


def _named_user():
    """A user an entry names (the one it is about, or the actor). Deleting the user keeps the
    entry and its snapshot label; the Meta's indexes serve the lookups."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )


class Log(models.Model):
    """One row per act: who did what to whom, from where, and how it ended."""

    class Result(models.TextChoices):
        SUCCESS = "Success"
        ERROR = "Error"

    id = models.CharField(primary_key=True, max_length=21, default=_generate_log_id, editable=False)
    key = models.CharField(max_length=128)
    result = models.CharField(max_length=16, choices=Result.choices, default=Result.SUCCESS)
    # The user the entry is about; the snapshot keeps it readable after the user is deleted.
    user = _named_user()
    user_ref = models.CharField(max_length=12, blank=True, default="")
    user_label = models.CharField(max_length=256, blank=True, default="")
    # Who acted: a console admin (user) or an API client (application id in actor_label).
    actor = _named_user()
    actor_label = models.CharField(max_length=256, blank=True, default="")
    application_id = models.CharField(max_length=21, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True, default="")
    # Old and new values may hold dates: the Django encoder writes them as ISO strings.
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A user's newest entries, and everyone's: each page is one index range scan.
            models.Index(fields=["user_ref", "-created_at", "-id"], name="log_user_newest_first"),
            models.Index(fields=["-created_at", "-id"], name="log_newest_first"),
            # One exact key, newest first (the API's logKey, the event filter's single keys).
            models.Index(fields=["key", "-created_at", "-id"], name="log_key_newest_first"),
            # A user's entries of a few keys: found at once even when they are rare or absent
            # among a million, where walking the user's newest entries would read them all.
            # Small: equal (user, key) pairs share one entry (B-tree deduplication).
            models.Index(fields=["user_ref", "key"], name="log_user_key"),
            # Deleting a user or an admin sets these to NULL (and the foreign key check looks
            # them up): without an index that is a scan of the whole log.
            models.Index(fields=["user"], name="log_user_fk", condition=Q(user__isnull=False)),
            # An admin's newest entries (the log's actor filter), one range scan like a user's;
            # its leading column also serves the foreign key's lookups.
            models.Index(
                fields=["actor", "-created_at", "-id"],
                name="log_actor_newest_first",
                condition=Q(actor__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.key} {self.result} {self.user_ref}"
