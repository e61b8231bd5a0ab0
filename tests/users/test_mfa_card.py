"""The Settings tab's MFA card: the factors enrolled through the API, by type, with the backup
codes left; never a secret, and no way to enrol from the console (admins must not see secrets)."""

import re
from http import HTTPStatus

import pytest

from audit.recorder import Origin
from users import services

pytestmark = pytest.mark.django_db

API = Origin(channel="ManagementApi", actor_label="app", application_id="app")
CODES = [f"{i:02d}ab34cd5e" for i in range(10)]


@pytest.fixture
def enrolled(subject):
    totp = services.enrol_totp(subject, origin=API)
    services.enrol_backup_codes(subject, origin=API, codes=CODES)
    return totp.secret


def test_the_card_shows_each_factor_type_and_the_codes_left(admin_client, subject, enrolled):
    services.verify_mfa_code(subject, CODES[0], origin=Origin(channel="Interaction"))
    response = admin_client.get(f"/console/users/{subject.id}")
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Authenticator app" in page
    assert "Backup codes" in page and "9 unused codes left" in page


def test_a_used_up_set_says_so(admin_client, subject, enrolled):
    for code in CODES:
        services.verify_mfa_code(subject, code, origin=Origin(channel="Interaction"))
    page = admin_client.get(f"/console/users/{subject.id}").content.decode()
    assert "all codes used" in page


def test_the_card_shows_no_secret_and_no_code(admin_client, subject, enrolled):
    page = admin_client.get(f"/console/users/{subject.id}").content.decode()
    assert enrolled not in page
    assert not any(code in page for code in CODES)
    factor = subject.mfa_factors.get(type="Totp")
    assert factor.secret not in page


def test_the_console_offers_no_enrolment(admin_client, subject, enrolled):
    page = admin_client.get(f"/console/users/{subject.id}").content.decode().lower()
    # Whole words: random ids and the CSP nonce on the page may hold "qr" as letters.
    assert not re.search(r"\benrol|\badd factor\b|\bqr\b", page)
