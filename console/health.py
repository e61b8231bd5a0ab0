"""Readiness probes: can this process reach what it needs to serve a request?

Each probe is one round trip with a short timeout and answers "ok" or "unavailable"; the reason
goes to the log, not to the (unauthenticated) caller.
"""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 2


def readiness() -> dict[str, str]:
    checks = {"database": _database()}
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
