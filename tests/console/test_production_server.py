"""`make serve`'s server, for real: gunicorn with console/gunicorn.conf.py on a free loopback port,
DEBUG off, static files collected, and the database out of reach (migrations are a separate step)."""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from http import HTTPStatus
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 30


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("staticfiles")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GATEHOUSE_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(static_root),
        DATABASE_URL="sqlite:////nonexistent/dir/gatehouse.sqlite3",
        TRUSTED_PROXY_COUNT="1",
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "console/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_until_listening(port, process)
        manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
        yield port, manifest
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        process.stderr.close()


def test_the_liveness_probe_answers_over_plain_http(server):
    port, _ = server
    status, headers, body = _get(port, "/healthz")
    assert (status, body) == (HTTPStatus.OK, b"ok")


def test_readiness_says_the_database_is_out_of_reach(server):
    port, _ = server
    status, _, body = _get(port, "/readyz")
    assert status == HTTPStatus.SERVICE_UNAVAILABLE
    assert json.loads(body)["checks"] == {"database": "unavailable"}


def test_a_hashed_static_file_is_served_with_a_far_future_cache_control(server):
    port, manifest = server
    hashed = manifest["console.css"]
    assert hashed != "console.css"
    status, headers, body = _get(port, f"/static/{hashed}", {"X-Forwarded-Proto": "https"})
    assert status == HTTPStatus.OK
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert body == (ROOT / "static/console.css").read_bytes()


def test_plain_http_is_redirected_to_https(server):
    port, manifest = server
    status, headers, _ = _get(port, f"/static/{manifest['console.css']}")
    assert status == HTTPStatus.MOVED_PERMANENTLY
    assert headers["Location"].startswith("https://127.0.0.1")


def test_https_answers_carry_hsts(server):
    port, _ = server
    _, headers, _ = _get(port, "/healthz", {"X-Forwarded-Proto": "https"})
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def _get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(port, process):
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {process.stderr.read().decode()}")
        try:
            if _get(port, "/healthz")[0] == HTTPStatus.OK:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within {START_SECONDS} s")
