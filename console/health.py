"""Readiness probes: can this process reach what it needs to serve a request?

Each probe is one round trip with a short timeout and answers "ok" or "unavailable"; the reason
goes to the log, not to the (unauthenticated) caller.
"""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 2
# Once this process has seen every migration applied, it stops looking (they are not unapplied
# under a running server); until then each probe looks again.
_migrated = False


def readiness() -> dict[str, str]:
    checks = {"database": _database()}
    if checks["database"] == "ok":
        checks["migrations"] = _migrations()
    if settings.REDIS_URL:
        checks["redis"] = _redis(settings.REDIS_URL)
    return checks


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("readiness: database unavailable: %s", error)
        return "unavailable"
    return "ok"


def _migrations() -> str:
    """Pending until `make migrate` has applied every migration this code knows."""
    global _migrated
    if not _migrated:
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            logger.warning("readiness: migrations unknown: %s", error)
            return "unavailable"
        if pending:
            return "pending"
        _migrated = True
    return "ok"


def _redis(url: str) -> str:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError as error:
        logger.warning("readiness: redis unavailable: %s", error)
        return "unavailable"
    finally:
        client.close()
    return "ok"
