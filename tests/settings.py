"""The test suite's settings: the project's own, on a machine marked local (a local-only key)."""

import os

os.environ.setdefault("GATEHOUSE_LOCAL", "true")

from console.settings import *  # noqa: E402, F403

# Argon2 at production costs is ~25 ms a hash; the suite hashes thousands of times. The tests of the
# production parameters (tests/users/test_password_hashing.py) restore PASSWORD_HASHERS themselves.
PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS  # noqa: F405
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]

# The test client speaks plain http; the redirect to https is tested with it switched back on.
SECURE_SSL_REDIRECT = False
# No `collectstatic` before the suite: plain names, files found in static/ when asked for. The
# hashed, far-future-cached serving is tested with a manifest built in a temporary STATIC_ROOT.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
