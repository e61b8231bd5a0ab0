"""The fields the models of users/ declare the same way."""

from django.conf import settings
from django.db import models

from users.ids import generate_long_id


def id_field():
    """The primary key of every model but the user: 21 random lowercase letters and digits."""
    return models.CharField(
        primary_key=True, max_length=21, default=generate_long_id, editable=False
    )


def link(to, related_name):
    """One side of a pair row (a user's role, a membership): deleted with either side, and no
    index of its own, since the pair's unique constraint or the model's Meta index serves it."""
    return models.ForeignKey(
        to, on_delete=models.CASCADE, related_name=related_name, db_index=False
    )


def owner(related_name):
    """The user a credential (identity, MFA factor, token) belongs to; deleted with them."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name=related_name
    )


def unique(*expressions, name, fields=()):
    """A uniqueness rule whose violation has the code "unique", which the services and forms
    report as "already in use" (a database constraint backs their check when two requests race)."""
    return models.UniqueConstraint(
        *expressions, fields=fields, name=name, violation_error_code="unique"
    )
