"""Gatehouse settings: one module, configured by environment variables.

Every setting that differs between a laptop and production comes from the environment, and a
production deployment (DEBUG off) refuses to start without the ones it cannot guess.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def _oidc_private_key() -> str:
    """The ID-token signing key (RS256, PEM): OIDC_RSA_PRIVATE_KEY, else the file named by
    OIDC_RSA_PRIVATE_KEY_FILE (locally `oidc-key.pem`, which `make run` writes if missing)."""
    if key := os.environ.get("OIDC_RSA_PRIVATE_KEY", ""):
        return key
    path = os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE", "")
    if not path and (DEBUG or LOCAL):
        path = str(BASE_DIR / "oidc-key.pem")
    if path and Path(path).is_file():
        return Path(path).read_text()
    if LOCAL and not DEBUG:  # the test suite and one-off commands: a key for this process only
        from signin.keys import ephemeral_private_key

        return ephemeral_private_key()
    return ""


DEBUG = _env_bool("DEBUG", False)

# GATEHOUSE_LOCAL=true marks local work (the Makefile, manage.py and the test settings set it); the
# WSGI server that serves production does not, so there a missing SECRET_KEY stops the start.
LOCAL = _env_bool("GATEHOUSE_LOCAL", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or LOCAL):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set. On a developer machine set DEBUG=true or GATEHOUSE_LOCAL=true "
            "to use a local-only key."
        )
    # A local-only key: fine for `make run` and tests, refused by `check --deploy`.
    SECRET_KEY = "django-insecure-gatehouse-local-development-only"

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the Management API's docs page (Swagger UI) from static, not a CDN
    "oauth2_provider",
    "console",
    "users",
    "audit",
    "signin",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before sessions and the database are looked at.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.RefusedActsMiddleware",
    "console.middleware.StaffRequiredMiddleware",
    "console.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": [
                "django.contrib.humanize.templatetags.humanize",
                "console.templatetags.console",
                # {% url %} keeping the URLs of views without arguments (after Django's own).
                "console.templatetags.cached_url",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL (postgres://...) selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=_env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a request (and /readyz) in seconds instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", _env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions: readers never block, writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file, not shared-cache memory, so threads wait for locks instead of failing.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["users.backends.IdentifierBackend"]
# The username is unique case-insensitively by a database constraint, not by `unique=True`.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
OAUTH2_PROVIDER_APPLICATION_MODEL = "users.Application"
# Only what RFC 9700 (OAuth 2.0 Security BCP) allows: no implicit or password grants, S256 PKCE,
# hashed token storage, replay detection, https redirect URIs.
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # signin/: our checks on top of oauth2_provider's, and 256-bit random access tokens.
    "OAUTH2_VALIDATOR_CLASS": "signin.oidc.OidcValidator",
    "ACCESS_TOKEN_GENERATOR": "signin.tokens.generate_access_token",
    # End-user sign-in (signin/oidc.py, docs/oidc.md): OpenID Connect, code flow only.
    "OIDC_ENABLED": True,
    "OIDC_SERVER_CLASS": "signin.oidc.Server",
    "OIDC_ISS_ENDPOINT": os.environ.get("OIDC_ISSUER", ""),  # empty: {base}/oidc of the request
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "SCOPES": {
        "openid": "Sign you in",
        "profile": "Your name and profile",
        "email": "Your email address",
        "phone": "Your phone number",
        "offline_access": "Stay signed in (refresh tokens)",
    },
    "DEFAULT_SCOPES": ["openid"],
    "SCOPES_BACKEND_CLASS": "signin.oidc.Scopes",
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": _env_int("OIDC_ACCESS_TOKEN_SECONDS", 3600),
    "ID_TOKEN_EXPIRE_SECONDS": _env_int("OIDC_ID_TOKEN_SECONDS", 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": _env_int("OIDC_REFRESH_TOKEN_SECONDS", 14 * 24 * 3600),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "OIDC_RSA_PRIVATE_KEY": _oidc_private_key(),
    # Key rotation: the previous keys stay in the JWKS (comma-separated PEM file paths).
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        Path(p).read_text()
        for p in os.environ.get("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES", "").split(",")
        if p.strip()
    ],
}
# End-user sign-in (/sign-in) throttling, same shape as the admin sign-in's.
END_USER_SIGN_IN_WINDOW_SECONDS = _env_int("END_USER_SIGN_IN_WINDOW_SECONDS", 15 * 60)
END_USER_SIGN_IN_MAX_PER_ACCOUNT = _env_int("END_USER_SIGN_IN_MAX_PER_ACCOUNT", 5)
END_USER_SIGN_IN_MAX_PER_IP = _env_int("END_USER_SIGN_IN_MAX_PER_IP", 30)
# Between the password and the MFA code: how long the password step counts (then start again).
END_USER_MFA_PENDING_SECONDS = _env_int("END_USER_MFA_PENDING_SECONDS", 5 * 60)
# Fernet keys for TOTP secrets at rest, comma-separated, newest first (docs/mfa.md, "MFA
# secrets"); unset, a key derived from SECRET_KEY (and its fallbacks) with HKDF.
MFA_ENCRYPTION_KEY = os.environ.get("MFA_ENCRYPTION_KEY", "")
# How long an end user's sign-in session at Gatehouse lasts (applications keep their own).
END_USER_SESSION_SECONDS = _env_int("END_USER_SESSION_SECONDS", 12 * 60 * 60)
# The Management API: the resource indicator its tokens are issued for (Logto's for self-hosted
# OSS, so its clients work unchanged) and how long a machine-to-machine token lives.
MANAGEMENT_API_INDICATOR = os.environ.get(
    "MANAGEMENT_API_INDICATOR", "https://default.logto.app/api"
)
MANAGEMENT_API_TOKEN_SECONDS = _env_int("MANAGEMENT_API_TOKEN_SECONDS", 3600)

PASSWORD_HASHERS = [
    "users.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Digests imported through the Management API: verified once, then re-hashed with Argon2id.
    "users.hashers.ImportedBcryptPasswordHasher",
    "users.hashers.ImportedSHA256PasswordHasher",
    "users.hashers.ImportedSHA1PasswordHasher",
    "users.hashers.ImportedMD5PasswordHasher",
    "users.hashers.ImportedLegacyPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Our user's fields, not Django's default first_name / last_name / email.
        "OPTIONS": {"user_attributes": ("username", "primary_email", "primary_phone", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "console:sign-in"
LOGIN_REDIRECT_URL = "users:list"
LOGOUT_REDIRECT_URL = "console:sign-in"

# Sessions: idle and absolute timeouts are enforced by console.middleware.SessionTimeoutMiddleware,
# which refreshes the session at most once a minute (not on every request).
# Database sessions with the user's id indexed, so suspending a user can end their sessions.
SESSION_ENGINE = "users.sessions"
SESSION_IDLE_SECONDS = _env_int("SESSION_IDLE_SECONDS", 2 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_ABSOLUTE_SECONDS = _env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Production (DEBUG off) is HTTPS-only by default: secure cookies, a redirect from http, and HSTS for
# a year. SECURE_SSL=false turns all of it off (a local try of `make serve` over plain http).
SECURE_SSL = _env_bool("SECURE_SSL", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", SECURE_SSL)
# Load balancers probe over plain http; the probes answer there instead of redirecting.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict policy: no inline script or style, no eval; htmx is served from static with a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "https:", "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Admin sign-in throttling: attempts per window, counted before the password is checked.
SIGN_IN_WINDOW_SECONDS = _env_int("SIGN_IN_WINDOW_SECONDS", 15 * 60)
SIGN_IN_MAX_PER_ACCOUNT = _env_int("SIGN_IN_MAX_PER_ACCOUNT", 5)
SIGN_IN_MAX_PER_IP = _env_int("SIGN_IN_MAX_PER_IP", 30)

# Audit log retention for `manage.py prune_logs` (days), and the tenant id the Logto-shaped JSON names.
AUDIT_LOG_RETENTION_DAYS = _env_int("AUDIT_LOG_RETENTION_DAYS", 180)
LOGTO_TENANT_ID = os.environ.get("LOGTO_TENANT_ID", "default")

# How many reverse proxies in front of us append to X-Forwarded-For (0: trust REMOTE_ADDR only).
TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)
# Behind a trusted proxy that terminates TLS, its X-Forwarded-Proto says whether the request was
# https. Without one, a client could send that header itself, so it is ignored.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT > 0 else None

REDIS_URL = os.environ.get("REDIS_URL", "")

# Import in the console (users/views/transfer.py): the largest upload, and the most rows it imports
# in the request (5,000: ~11 s on a loaded 2-core machine, under gunicorn's 30 s timeout); bigger
# files are for `manage.py import_users FILE`.
IMPORT_MAX_UPLOAD_BYTES = _env_int("IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_CONSOLE_ROWS = _env_int("IMPORT_MAX_CONSOLE_ROWS", 5_000)  # the page's "Check file"
IMPORT_JOB_BATCH_SIZE = _env_int("IMPORT_JOB_BATCH_SIZE", 1_000)
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

# Background jobs (bulk actions; docs/jobs.md): Django's tasks, stored in this database and run by
# `manage.py jobs_worker` (django-tasks-db's db_worker after recovering interrupted jobs). For many
# machines, TASKS_BACKEND=rq queues them in Redis (REDIS_URL) for `manage.py jobs_rqworker`.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "db")
if TASKS_BACKEND == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL (the broker)")
    INSTALLED_APPS += ["django_rq"]
    # django.tasks' queue "default" is RQ's queue of that name; JOB_TIMEOUT: a bulk job is long.
    RQ_QUEUES = {
        "default": {
            "URL": REDIS_URL,
            "DEFAULT_TIMEOUT": _env_int("TASKS_RQ_JOB_TIMEOUT", 6 * 60 * 60),
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be db or rq, not {TASKS_BACKEND!r}")
BULK_JOB_BATCH_SIZE = _env_int("BULK_JOB_BATCH_SIZE", 500)
# A running job whose last batch is older than this lost its worker: the next worker resumes it.
BULK_JOB_STALE_SECONDS = _env_int("BULK_JOB_STALE_SECONDS", 300)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# `collectstatic` (run by `make serve`) copies files to STATIC_ROOT with content hashes in their names
# (and gzip copies); WhiteNoise serves those with a far-future Cache-Control. With DEBUG on, pages
# link the plain names and runserver serves them from static/ as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
