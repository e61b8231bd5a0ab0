"""/healthz (liveness: no database) and /readyz (readiness: database, and Redis when configured)."""

import shutil
import socket
import subprocess
import time
from http import HTTPStatus

import pytest
import redis
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from console import health
from tests.console.test_database_unavailable import _outage


@pytest.mark.django_db
def test_the_liveness_probe_answers_ok_without_a_single_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_the_liveness_probe_answers_while_the_database_is_down():
    with _outage():
        response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == HTTPStatus.OK


@pytest.mark.django_db
def test_readiness_is_200_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_readiness_is_503_when_the_database_is_down():
    with _outage():
        response = Client(raise_request_exception=False).get("/readyz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}


@pytest.mark.django_db(transaction=True)
def test_readiness_recovers_when_the_database_returns():
    client = Client(raise_request_exception=False)
    with _outage():
        assert client.get("/readyz").status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert client.get("/readyz").status_code == HTTPStatus.OK


@pytest.mark.django_db
def test_readiness_is_503_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    MigrationRecorder.Migration.objects.filter(app="users").order_by("-applied").first().delete()
    response = client.get("/readyz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["checks"] == {"database": "ok", "migrations": "pending"}


@pytest.mark.django_db
def test_once_migrated_readiness_costs_one_query(client, django_assert_num_queries):
    assert client.get("/readyz").status_code == HTTPStatus.OK
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == HTTPStatus.OK


@pytest.mark.django_db
def test_readiness_is_503_when_redis_is_configured_but_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_free_port()}/0"
    started = time.monotonic()
    response = client.get("/readyz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["checks"]["redis"] == "unavailable"
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_readiness_checks_redis_when_it_is_configured_and_answers(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/readyz")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_the_probes_are_open_to_anonymous_callers_and_answer_head(client):
    for path in ("/healthz", "/readyz"):
        assert client.head(path).status_code == HTTPStatus.OK


@pytest.mark.django_db
def test_the_probes_refuse_post(client):
    for path in ("/healthz", "/readyz"):
        assert client.post(path).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.django_db
def test_the_probes_answer_over_plain_http_while_everything_else_redirects_to_https(
    client, settings
):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == HTTPStatus.OK
    assert client.get("/readyz").status_code == HTTPStatus.OK
    response = client.get("/console/sign-in")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"].startswith("https://")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free loopback port (Debian's, present on this machine kind)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with redis.Redis.from_url(url, socket_connect_timeout=1) as probe:
                    probe.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
