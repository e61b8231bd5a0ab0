"""With DEBUG off, WhiteNoise serves the files `collectstatic` hashed, cached for good."""

import gzip
import json
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.test import Client

from console.settings import BASE_DIR

FOREVER = "max-age=315360000, public, immutable"


@pytest.fixture
def collected(settings, tmp_path):
    """Production's static settings, with `collectstatic` run into a temporary STATIC_ROOT."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    return json.loads((tmp_path / "staticfiles.json").read_text())["paths"]


@pytest.mark.django_db
def test_pages_link_the_hashed_names(collected):
    body = Client().get("/console/sign-in").content.decode()
    hashed = collected["console.css"]
    assert hashed != "console.css" and hashed.startswith("console.")
    assert f'href="/static/{hashed}"' in body
    assert f'src="/static/{collected["console.js"]}"' in body


def test_a_hashed_file_is_served_with_a_far_future_cache_control(collected):
    response = Client().get(f"/static/{collected['console.css']}")
    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == FOREVER
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content) == (BASE_DIR / "static/console.css").read_bytes()


def test_a_hashed_file_is_served_compressed_to_clients_that_accept_gzip(collected):
    response = Client().get(
        f"/static/{collected['console.js']}", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Encoding"] == "gzip"
    body = gzip.decompress(b"".join(response.streaming_content))
    assert body == (BASE_DIR / "static/console.js").read_bytes()


def test_the_plain_name_is_served_but_only_briefly_cached(collected):
    response = Client().get("/static/console.css")
    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == "max-age=60, public"


@pytest.mark.django_db
def test_a_missing_static_file_is_a_404(collected):
    assert Client().get("/static/console.0123456789ab.css").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.django_db
def test_the_test_settings_serve_static_files_without_collectstatic(client):
    """The rest of the suite runs without a manifest: plain names, found in static/."""
    body = client.get("/console/sign-in").content.decode()
    assert 'href="/static/console.css"' in body
    assert client.get("/static/console.css").status_code == HTTPStatus.OK
