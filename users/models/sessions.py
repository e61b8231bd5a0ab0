from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class UserSession(AbstractBaseSession):
    """A console session, stored as Django's are, plus the id of the user signed in with it.

    The id is the per-user session index: suspending, deleting or resetting a user ends their
    sessions with one indexed DELETE. No foreign key: a session row must never block deleting a
    user, and the service deletes the rows itself.
    """

    user_id = models.CharField(max_length=12, null=True, blank=True, db_index=True)

    class Meta:
        db_table = "users_session"

    @classmethod
    def get_session_store_class(cls):
        from users.sessions import SessionStore

        return SessionStore
