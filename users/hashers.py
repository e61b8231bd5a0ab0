import hashlib
import hmac
import json

from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher, mask_hash


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's first recommended setting: 19 MiB, 2 passes, 1 lane.

    Measured here at ~24 ms a hash (Django's default: ~200 ms and ~100 MiB), so parallel sign-ins
    cannot exhaust memory. Hashes made with other parameters still verify and are upgraded on sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1


# --- Imported digests (POST /api/users with passwordDigest + passwordAlgorithm) ----------------
# Each wraps a digest made elsewhere, verbatim after a "logto_<method>$" prefix, so Django's
# check_password verifies it and, the hasher not being the preferred one, re-hashes the password
# with Argon2id on the first success. None of them is ever used to hash a new password.

LEGACY_ALGORITHMS = {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3-256", "sha3-512"}
LEGACY_PBKDF2 = {"pbkdf2", "pbkdf2Sync"}
MAX_PBKDF2_ITERATIONS = 10_000_000


class ImportedDigestError(ValueError):
    """A digest that cannot be imported; `code` is Logto's error code (400)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class _ImportedHasher(BasePasswordHasher):
    """Verifies an imported digest; never makes one."""

    def encode(self, password, salt):  # pragma: no cover - never the preferred hasher
        raise NotImplementedError("Imported digests are verified, never created.")

    def decode(self, encoded):
        algorithm, _, digest = encoded.partition("$")
        return {"algorithm": algorithm, "hash": digest, "salt": ""}

    def safe_summary(self, encoded):
        return {"algorithm": self.algorithm, "hash": mask_hash(self.decode(encoded)["hash"])}

    def must_update(self, encoded):
        return True

    def harden_runtime(self, password, encoded):
        pass


class _HexDigestHasher(_ImportedHasher):
    digest_name = ""

    def verify(self, password, encoded):
        expected = self.decode(encoded)["hash"].lower()
        actual = hashlib.new(self.digest_name, password.encode()).hexdigest()
        return hmac.compare_digest(actual, expected)


class ImportedMD5PasswordHasher(_HexDigestHasher):
    algorithm = "logto_md5"
    digest_name = "md5"


class ImportedSHA1PasswordHasher(_HexDigestHasher):
    algorithm = "logto_sha1"
    digest_name = "sha1"


class ImportedSHA256PasswordHasher(_HexDigestHasher):
    algorithm = "logto_sha256"
    digest_name = "sha256"


class ImportedBcryptPasswordHasher(_ImportedHasher):
    algorithm = "logto_bcrypt"

    def verify(self, password, encoded):
        import bcrypt

        try:
            return bcrypt.checkpw(password.encode(), self.decode(encoded)["hash"].encode())
        except ValueError:
            return False


class ImportedLegacyPasswordHasher(_ImportedHasher):
    """Logto's `Legacy` digests: `[algorithm, [args...], expectedHexHash]`, "@" = the password."""

    algorithm = "logto_legacy"

    def verify(self, password, encoded):
        try:
            name, args, expected = parse_legacy_digest(self.decode(encoded)["hash"])
        except ImportedDigestError:
            return False
        actual = legacy_hash(name, args, password)
        return hmac.compare_digest(actual, expected.lower())


def parse_legacy_digest(text: str) -> tuple[str, list[str], str]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], list)
        and all(isinstance(a, str | int) for a in value[1])
        and isinstance(value[2], str)
    ):
        raise ImportedDigestError(
            "password.invalid_legacy_password_format",
            'A Legacy digest is a JSON array: ["algorithm", [arguments...], "expected hex hash"].',
        )
    name, args, expected = value[0], [str(a) for a in value[1]], value[2]
    if name in LEGACY_PBKDF2:
        args = [a for a in args if a != "@"]
        if len(args) != 4 or not args[1].isdigit() or not args[2].isdigit():
            raise ImportedDigestError(
                "password.invalid_legacy_password_format",
                "pbkdf2 takes [salt, iterations, key length, digest].",
            )
        if not 0 < int(args[1]) <= MAX_PBKDF2_ITERATIONS or not 0 < int(args[2]) <= 1024:
            raise ImportedDigestError(
                "password.invalid_legacy_password_format", "pbkdf2 parameters are out of range."
            )
        if args[3].lower().replace("-", "") not in {"sha1", "sha256", "sha512", "md5"}:
            raise ImportedDigestError(
                "password.unsupported_legacy_hash_algorithm",
                f"pbkdf2 with {args[3]} is not supported.",
            )
    elif name in LEGACY_ALGORITHMS:
        if args.count("@") != 1:
            raise ImportedDigestError(
                "password.invalid_legacy_password_format",
                'The arguments must contain "@" (the password) exactly once.',
            )
    else:
        raise ImportedDigestError(
            "password.unsupported_legacy_hash_algorithm",
            f"The legacy hash algorithm {name!r} is not supported.",
        )
    return name, args, expected


def legacy_hash(name: str, args: list[str], password: str) -> str:
    if name in LEGACY_PBKDF2:
        salt, iterations, length, digest = args
        salt_bytes = bytes.fromhex(salt[4:]) if salt.startswith("hex:") else salt.encode()
        digest = digest.lower().replace("-", "")
        return hashlib.pbkdf2_hmac(
            digest, password.encode(), salt_bytes, int(iterations), int(length)
        ).hex()
    data = "".join(password if a == "@" else a for a in args)
    return hashlib.new(name, data.encode()).hexdigest()


_ARGON2_PREFIXES = ("$argon2i$", "$argon2id$", "$argon2d$")
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
_HEX_LENGTHS = {"MD5": 32, "SHA1": 40, "SHA256": 64}
MAX_DIGEST_LENGTH = 256
STORED_HASH_MAX = 128  # User.password (Django's AbstractBaseUser) is a varchar(128)


def encode_imported_digest(digest: str, method: str) -> str:
    """The stored form of an imported digest (Logto's passwordDigest + passwordAlgorithm)."""
    encoded = _encode_imported_digest(digest, method)
    if len(encoded) > STORED_HASH_MAX:
        raise ImportedDigestError(
            "guard.invalid_input",
            f"This passwordDigest is too long to store here (at most {STORED_HASH_MAX} characters "
            "with its algorithm prefix).",
        )
    return encoded


def _encode_imported_digest(digest: str, method: str) -> str:
    if not isinstance(digest, str) or not digest or len(digest) > MAX_DIGEST_LENGTH:
        raise ImportedDigestError(
            "guard.invalid_input", "passwordDigest must be 1 to 256 characters."
        )
    if method in ("Argon2i", "Argon2id", "Argon2d"):
        if not digest.startswith(_ARGON2_PREFIXES):
            raise ImportedDigestError(
                "password.unsupported_encryption_method",
                "An Argon2 digest is a PHC string like $argon2i$v=19$m=...,t=...,p=...$salt$hash.",
            )
        return "argon2" + digest  # Django's Argon2 format is "argon2" + the PHC string
    if method == "Bcrypt":
        if not digest.startswith(_BCRYPT_PREFIXES) or len(digest) != 60:
            raise ImportedDigestError(
                "password.unsupported_encryption_method", "A Bcrypt digest looks like $2b$10$..."
            )
        return f"logto_bcrypt${digest}"
    if method in _HEX_LENGTHS:
        if len(digest) != _HEX_LENGTHS[method] or any(
            c not in "0123456789abcdefABCDEF" for c in digest
        ):
            raise ImportedDigestError(
                "password.unsupported_encryption_method",
                f"A {method} digest is {_HEX_LENGTHS[method]} hexadecimal characters.",
            )
        return f"logto_{method.lower()}${digest.lower()}"
    if method == "Legacy":
        parse_legacy_digest(digest)
        return f"logto_legacy${digest}"
    raise ImportedDigestError(
        "password.unsupported_encryption_method",
        f"passwordAlgorithm {method!r} is not supported.",
    )


_STORED_METHODS = {
    "logto_md5": "MD5",
    "logto_sha1": "SHA1",
    "logto_sha256": "SHA256",
    "logto_bcrypt": "Bcrypt",
    "logto_legacy": "Legacy",
}


def exported_digest(encoded: str) -> tuple[str | None, str | None]:
    """(passwordDigest, passwordAlgorithm) of a stored hash, as Logto's includePasswordHash shows."""
    if not encoded or encoded.startswith("!"):
        return None, None
    algorithm, _, rest = encoded.partition("$")
    if algorithm in _STORED_METHODS:
        return rest, _STORED_METHODS[algorithm]
    if algorithm == "argon2":
        kind = rest.split("$", 1)[0]
        method = {"argon2i": "Argon2i", "argon2id": "Argon2id", "argon2d": "Argon2d"}.get(kind)
        return "$" + rest, method
    return encoded, None
