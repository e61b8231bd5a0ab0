from http import HTTPStatus

import pytest

from audit.models import Log
from tests.factories import UserFactory
from users.models import Identity, MfaFactor

pytestmark = pytest.mark.django_db


def test_removing_an_identity_of_a_user_with_a_password_just_asks_once(
    admin_client, subject, htmx_dialog
):
    identity = subject.identities.get()
    path = f"/console/users/{subject.id}/identities/{identity.id}/remove"
    assert "Github · 1234" in admin_client.get(path, headers=htmx_dialog).content.decode().title()
    response = admin_client.post(path, headers=htmx_dialog)
    assert response["HX-Refresh"] == "true"
    assert not Identity.objects.filter(pk=identity.pk).exists()
    log = Log.objects.get(key="Console.User.Identity.Remove")
    assert log.payload == {"target": "github", "externalUserId": "1234"}


def test_removing_the_last_way_to_sign_in_needs_an_explicit_confirmation(admin_client, htmx_dialog):
    user = UserFactory(username="social_only")  # no password
    identity = Identity.objects.create(user=user, target="google", external_user_id="g-1")
    path = f"/console/users/{user.id}/identities/{identity.id}/remove"
    response = admin_client.post(path, headers=htmx_dialog)
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert "last way to sign in" in body and "Remove anyway" in body
    assert Identity.objects.filter(pk=identity.pk).exists()
    admin_client.post(path, {"confirm_lockout": "on"}, headers=htmx_dialog)
    assert not Identity.objects.filter(pk=identity.pk).exists()


def test_another_users_identity_is_404(admin_client, subject):
    other = UserFactory()
    identity = subject.identities.get()
    path = f"/console/users/{other.id}/identities/{identity.id}/remove"
    assert admin_client.post(path).status_code == HTTPStatus.NOT_FOUND
    assert Identity.objects.filter(pk=identity.pk).exists()


def test_sso_identities_are_listed_read_only(admin_client, subject):
    from users.models import SsoIdentity

    SsoIdentity.objects.create(user=subject, issuer="https://idp.example", identity_id="e-77")
    body = admin_client.get(f"/console/users/{subject.id}").content.decode()
    assert "https://idp.example" in body and "e-77" in body and "read-only" in body


def test_an_mfa_factor_is_removed_after_confirmation(admin_client, subject, htmx_dialog):
    factor = MfaFactor.objects.create(
        user=subject, type="WebAuthn", name="YubiKey", secret="s3cr3t"
    )
    page = admin_client.get(f"/console/users/{subject.id}").content.decode()
    assert "Passkey" in page and "YubiKey" in page and "s3cr3t" not in page
    path = f"/console/users/{subject.id}/mfa/{factor.id}/remove"
    assert "Remove MFA factor" in admin_client.get(path, headers=htmx_dialog).content.decode()
    assert MfaFactor.objects.filter(pk=factor.pk).exists()
    admin_client.post(path, headers=htmx_dialog)
    assert not MfaFactor.objects.filter(pk=factor.pk).exists()
    log = Log.objects.get(key="Console.User.MfaFactor.Remove")
    assert "s3cr3t" not in str(log.payload)


def test_a_viewer_cannot_remove_identities_or_factors(viewer_client, subject):
    identity = subject.identities.get()
    factor = MfaFactor.objects.create(user=subject, type="Totp")
    assert (
        viewer_client.post(
            f"/console/users/{subject.id}/identities/{identity.id}/remove"
        ).status_code
        == 403
    )
    assert (
        viewer_client.post(f"/console/users/{subject.id}/mfa/{factor.id}/remove").status_code == 403
    )
    assert (
        Identity.objects.filter(pk=identity.pk).exists()
        and MfaFactor.objects.filter(pk=factor.pk).exists()
    )
