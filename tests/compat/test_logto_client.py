"""Logto's own Management API client (@logto/api 1.42.0, pinned by package-lock.json) runs a
user's whole life cycle against a live Gatehouse, unchanged. `npm ci --prefix tests/compat`
installs it (.ci/run does); without it the test skips locally and fails in CI."""

import json
import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

HERE = Path(__file__).parent
CLIENT = HERE / "node_modules" / "@logto" / "api"
REQUIRED = bool(os.environ.get("REQUIRE_BROWSER") or os.environ.get("CI"))


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not CLIENT.exists():
        return "@logto/api is not installed: run `npm ci --prefix tests/compat`"
    return None


def _credentials() -> dict:
    """From `manage.py create_m2m_app` (one JSON object on stdout), as an operator gets them."""
    out = StringIO()
    call_command("create_m2m_app", "--name", "Logto client", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def logto_client():
    reason = _missing()
    if reason:
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)


def test_logtos_client_runs_a_whole_user_life_cycle_unchanged(logto_client, live_server):
    credentials = _credentials()
    result = subprocess.run(
        [
            "node",
            str(HERE / "lifecycle.mjs"),
            live_server.url,
            credentials["clientId"],
            credentials["clientSecret"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=HERE,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lifecycle complete" in result.stdout
