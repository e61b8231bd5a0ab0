"""The session engine (`SESSION_ENGINE = "users.sessions"`): Django's database sessions, with the
signed-in user's id in its own indexed column, so a user's sessions can be found and ended.

The column is written whenever Django saves the session (sign-in, key rotation, every change), so
the index cannot drift from the session data.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from users.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        instance.user_id = user_id if isinstance(user_id, str) else None
        return instance


def end_sessions(user) -> int:
    """Delete every session of `user`; returns how many there were.

    Called inside the service's transaction: the session rows live in the same database, so the
    change and the sign-out commit (or roll back) together.
    """
    return end_sessions_of([user.pk])


def end_sessions_of(user_ids) -> int:
    """Delete every session of these users (one statement); returns how many there were."""
    from users.models import UserSession

    deleted, _ = UserSession.objects.filter(user_id__in=user_ids).delete()
    return deleted
