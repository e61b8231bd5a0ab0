from users.hashers import TunedArgon2PasswordHasher


class FastArgon2PasswordHasher(TunedArgon2PasswordHasher):
    """Argon2id at the smallest costs, for tests only: same format and code path, ~1000x cheaper.

    tests/users/test_password_hashing.py puts the production hasher back to check its parameters.
    """

    time_cost = 1
    memory_cost = 64
