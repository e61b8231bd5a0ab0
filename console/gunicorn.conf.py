"""gunicorn settings for `make serve` (production): `gunicorn -c console/gunicorn.conf.py`.

HOST and PORT choose the address (default 127.0.0.1:8000, behind a reverse proxy that terminates
TLS and buffers slow clients); WEB_CONCURRENCY the number of worker processes.
"""

import gc
import os

wsgi_app = "console.wsgi:application"

_host = os.environ.get("HOST", "127.0.0.1")
_port = os.environ.get("PORT", "8000")
bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]

# Sync workers, one request each: 2 per core + 1, capped so a big machine does not start dozens
# (each worker holds ~50 MiB, and a sign-in's Argon2 hash costs tens of MiB more while it runs).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8)))
timeout = 30
graceful_timeout = 20
# Restart a worker now and then, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Import the app once in the master: workers share its pages, and a bad configuration (no
# SECRET_KEY) stops the start instead of crash-looping workers.
preload_app = True

# Django decides what to trust from a proxy (SECURE_PROXY_SSL_HEADER, TRUSTED_PROXY_COUNT);
# gunicorn must not turn X-Forwarded-Proto into https on its own.
secure_scheme_headers = {}
forwarded_allow_ips = ""
# No control socket: it lives at one path per user, and two servers on a machine would share it.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def when_ready(server):
    """Import every view module in the master, before the fork: workers share those pages and do
    not each spend their first request importing them."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    # What is loaded now lives as long as the workers: out of the garbage collector's sight, a
    # collection walks only what a request made (cheaper, and pages stay shared after the fork).
    gc.collect()
    gc.freeze()
