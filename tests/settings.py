"""The test suite's settings: the project's own, on a machine marked local (a local-only key)."""

import os

os.environ.setdefault("GATEHOUSE_LOCAL", "true")

from console.settings import *  # noqa: E402, F403

# Argon2 at production costs is ~25 ms a hash; the suite hashes thousands of times. The tests of the
# production parameters (tests/users/test_password_hashing.py) restore PASSWORD_HASHERS themselves.
PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS  # noqa: F405
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
