from django.apps import AppConfig
from django.db.models.signals import post_migrate


class UsersConfig(AppConfig):
    name = "users"

    def ready(self):
        post_migrate.connect(_ensure_search_index, sender=self)


def _ensure_search_index(using, **kwargs):
    # A later migration that rebuilds users_user on SQLite drops the FTS triggers with it.
    from django.db import connections

    from users import sqlite_fts

    sqlite_fts.ensure(connections[using])
