"""The fields the models of users/ declare the same way."""

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
