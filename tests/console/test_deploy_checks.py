import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The README's production settings: nothing about HTTPS, because it is the default with DEBUG off.
PRODUCTION = {
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-of-decent-length-0123456789",
    "ALLOWED_HOSTS": "gatehouse.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://gatehouse.example.com",
}


def _production_env(**overrides):
    """Only the production-like environment: nothing the test run itself set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GATEHOUSE_"))}
    for name in ("DEBUG", "TRUSTED_PROXY_COUNT", "SECURE_SSL", "SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    for name in ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS"):
        env.pop(name, None)
    return {**env, **PRODUCTION, **overrides}


def _check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(env, *names):
    """The named settings as console/settings.py computes them from `env`."""
    code = (
        "import json, console.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_production_settings():
    result = _check_deploy(_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_a_deployment_over_plain_http():
    result = _check_deploy(_production_env(SECURE_SSL="false"))
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_production_is_https_only_by_default():
    found = _settings(
        _production_env(),
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_REDIRECT_EXEMPT",
    )
    assert found == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 60 * 60,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_REDIRECT_EXEMPT": ["^healthz$", "^readyz$"],
    }


def test_hsts_subdomains_and_the_redirect_are_settings_of_their_own():
    env = _production_env(SECURE_HSTS_INCLUDE_SUBDOMAINS="false", SECURE_SSL_REDIRECT="false")
    found = _settings(env, "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT")
    assert found == {"SECURE_HSTS_INCLUDE_SUBDOMAINS": False, "SECURE_SSL_REDIRECT": False}


def test_debug_turns_https_off_for_local_work():
    found = _settings(_production_env(DEBUG="true"), "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")
    assert found == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0}


def test_the_forwarded_proto_header_is_trusted_only_behind_a_trusted_proxy():
    alone = _settings(_production_env(), "SECURE_PROXY_SSL_HEADER")
    proxied = _settings(_production_env(TRUSTED_PROXY_COUNT="1"), "SECURE_PROXY_SSL_HEADER")
    assert alone == {"SECURE_PROXY_SSL_HEADER": None}
    assert proxied == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]}


def test_the_production_server_refuses_to_start_without_a_secret_key():
    dropped = {"SECRET_KEY", "GATEHOUSE_LOCAL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(DEBUG="false", DJANGO_SETTINGS_MODULE="console.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import console.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
