from django.db import models


class SignInAttempt(models.Model):
    """A counter of sign-in attempts for one key (an account or an IP) in one time window.

    Counted in the database, not in process memory, so every app server sees the same count and
    parallel attempts are serialised by the row lock of the increment.
    """

    key = models.CharField(max_length=200)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="sign_in_attempt_key_window")
        ]
