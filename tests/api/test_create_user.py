"""POST /api/users: 200 with the user, Logto's 400/422 codes, passwords through the policy,
digests imported from other systems."""

import hashlib
import json
from http import HTTPStatus

import bcrypt
import pytest
from argon2 import PasswordHasher, Type

from audit.models import Log
from tests.factories import UserFactory
from users.models import User

STRONG = "Tall-lighthouse-42!"


def test_it_creates_a_user_and_answers_200_with_camel_case_json(api, m2m_app):
    response = api.post(
        "/api/users",
        {
            "username": "ann_lee",
            "primaryEmail": "ann@Example.COM",
            "primaryPhone": "+44 20 7946 0958",
            "name": "Ann Lee",
            "avatar": "https://example.com/a.png",
            "password": STRONG,
            "customData": {"plan": "pro"},
            "profile": {"givenName": "Ann", "address": {"country": "UK"}},
        },
    )
    assert response.status_code == HTTPStatus.OK
    data = response.json()
    user = User.objects.get(pk=data["id"])
    assert data["primaryEmail"] == "ann@example.com" == user.primary_email
    assert data["primaryPhone"] == "442079460958"
    assert data["customData"] == {"plan": "pro"}
    assert data["profile"] == {"givenName": "Ann", "address": {"country": "UK"}}
    assert data["hasPassword"] is True and "password" not in data
    assert data["createdAt"] == int(user.created_at.timestamp() * 1000)
    assert user.check_password(STRONG)
    log = Log.objects.get(key="ManagementApi.User.Create")
    assert log.user_id == user.pk
    assert log.actor_id is None and log.actor_label == "Billing sync"
    assert log.application_id == m2m_app.pk


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"username": "taken_name"}, "user.username_already_in_use"),
        ({"username": "TAKEN_NAME"}, "user.username_already_in_use"),
        ({"primaryEmail": "TAKEN@example.com"}, "user.email_already_in_use"),
        ({"primaryPhone": "442079460958"}, "user.phone_already_in_use"),
    ],
)
def test_a_taken_identifier_is_422_with_logtos_code(api, body, code):
    UserFactory(
        username="taken_name", primary_email="taken@example.com", primary_phone="442079460958"
    )
    response = api.post("/api/users", body)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == code
    assert User.objects.count() == 1


def test_a_weak_password_is_refused_by_the_password_policy(api):
    response = api.post("/api/users", {"username": "weak_one", "password": "123"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "password.rejected"
    assert not User.objects.exists()


def test_a_user_needs_at_least_one_identifier(api):
    response = api.post("/api/users", {"name": "Nobody"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.identifier_required"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "1starts_with_digit"},
        {"primaryEmail": "not-an-email"},
        {"avatar": "javascript:alert(1)"},
        {"username": "x" * 129},
        {"username": "ok_name", "customData": {"deep": json.loads("[" * 40 + "]" * 40)}},
        {"username": "ok_name", "profile": {"birthdate": "yesterday"}},
    ],
)
def test_invalid_values_are_400(api, body):
    response = api.post("/api/users", body)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["code"] == "guard.invalid_input"
    assert not User.objects.exists()


def test_an_unparsable_phone_is_422_invalid_phone(api):
    response = api.post("/api/users", {"primaryPhone": "999"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.invalid_phone"


def test_password_and_digest_together_are_400(api):
    response = api.post(
        "/api/users",
        {"username": "both", "password": STRONG, "passwordDigest": "x", "passwordAlgorithm": "MD5"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "user.password_and_digest"


def test_a_digest_without_its_algorithm_is_400(api):
    response = api.post("/api/users", {"username": "dig", "passwordDigest": "abc"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "user.password_algorithm_required"


def _digests(password: str) -> dict:
    return {
        "MD5": hashlib.md5(password.encode()).hexdigest(),
        "SHA1": hashlib.sha1(password.encode()).hexdigest(),
        "SHA256": hashlib.sha256(password.encode()).hexdigest(),
        "Bcrypt": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode(),
        "Argon2i": PasswordHasher(time_cost=1, memory_cost=1024, type=Type.I).hash(password),
        "Argon2id": PasswordHasher(time_cost=1, memory_cost=1024, type=Type.ID).hash(password),
        "Legacy": json.dumps(
            ["sha256", ["salt123", "@"], hashlib.sha256(b"salt123" + password.encode()).hexdigest()]
        ),
    }


@pytest.mark.parametrize(
    "algorithm", ["MD5", "SHA1", "SHA256", "Bcrypt", "Argon2i", "Argon2id", "Legacy"]
)
def test_an_imported_digest_verifies_at_sign_in_and_is_rehashed_with_argon2id(api, algorithm):
    from django.contrib.auth import authenticate

    password = "imported-Pass-1"
    response = api.post(
        "/api/users",
        {
            "username": "imported",
            "passwordDigest": _digests(password)[algorithm],
            "passwordAlgorithm": algorithm,
        },
    )
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["hasPassword"] is True
    user = User.objects.get(username="imported")
    imported = user.password
    assert authenticate(username="imported", password="wrong-password") is None
    assert authenticate(username="imported", password=password) is not None
    user.refresh_from_db()
    assert user.password != imported  # re-hashed with our own Argon2id parameters
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(password)


def test_a_pbkdf2_legacy_digest_verifies(api):
    password = "legacy-pbkdf2-pass"
    expected = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex("a1b2"), 1000, 16)
    digest = json.dumps(["pbkdf2", ["hex:a1b2", "1000", "16", "sha256"], expected.hex()])
    response = api.post(
        "/api/users",
        {"username": "pbk", "passwordDigest": digest, "passwordAlgorithm": "Legacy"},
    )
    assert response.status_code == HTTPStatus.OK
    assert User.objects.get(username="pbk").check_password(password)


@pytest.mark.parametrize(
    ("digest", "algorithm", "code"),
    [
        ("not json", "Legacy", "password.invalid_legacy_password_format"),
        ('["sha256", ["no-at"], "abc"]', "Legacy", "password.invalid_legacy_password_format"),
        ('["whirlpool9", ["@"], "abc"]', "Legacy", "password.unsupported_legacy_hash_algorithm"),
        ("zz", "MD5", "password.unsupported_encryption_method"),
        ("$2b$nope", "Bcrypt", "password.unsupported_encryption_method"),
        ("plain", "Argon2i", "password.unsupported_encryption_method"),
    ],
)
def test_a_digest_that_cannot_be_imported_is_400(api, digest, algorithm, code):
    response = api.post(
        "/api/users",
        {"username": "bad_digest", "passwordDigest": digest, "passwordAlgorithm": algorithm},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == code
    assert not User.objects.exists()


def test_a_digest_too_long_to_store_is_400_not_500(api):
    digest = json.dumps(["sha512", ["s" * 40, "@"], "a" * 128])
    response = api.post(
        "/api/users",
        {"username": "long_digest", "passwordDigest": digest, "passwordAlgorithm": "Legacy"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "guard.invalid_input"
    assert not User.objects.exists()


def test_an_unknown_algorithm_is_400(api):
    response = api.post(
        "/api/users",
        {"username": "x_alg", "passwordDigest": "abc", "passwordAlgorithm": "Rot13"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "guard.invalid_input"


def test_include_password_hash_exports_the_digest_and_algorithm(api):
    digest = hashlib.sha1(b"pw-to-export").hexdigest()
    created = api.post(
        "/api/users",
        {"username": "exported", "passwordDigest": digest, "passwordAlgorithm": "SHA1"},
    ).json()
    data = api.get(f"/api/users/{created['id']}", {"includePasswordHash": "yes"}).json()
    assert (data["passwordDigest"], data["passwordAlgorithm"]) == (digest, "SHA1")
    assert "passwordDigest" not in api.get(f"/api/users/{created['id']}").json()
