"""Social identities (PUT/DELETE), MFA verifications (GET/DELETE), organizations (GET)."""

from http import HTTPStatus

import pytest

from tests.access.factories import OrganizationFactory
from tests.factories import UserFactory
from users.models import Identity, Membership, MfaFactor, OrganizationRole


@pytest.fixture
def user(db):
    return UserFactory(password="Some-password-1!")


def test_put_identity_creates_201_then_replaces_200(api, user):
    response = api.put(
        f"/api/users/{user.pk}/identities/github", {"userId": "42", "details": {"login": "ann"}}
    )
    assert response.status_code == HTTPStatus.CREATED
    assert response.json() == {"github": {"userId": "42", "details": {"login": "ann"}}}
    response = api.put(f"/api/users/{user.pk}/identities/github", {"userId": "43"})
    assert response.status_code == HTTPStatus.OK
    assert Identity.objects.get(user=user).external_user_id == "43"


def test_put_an_identity_another_user_has_is_422(api, user):
    Identity.objects.create(user=UserFactory(), target="github", external_user_id="42")
    response = api.put(f"/api/users/{user.pk}/identities/github", {"userId": "42"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.identity_already_in_use"
    assert not Identity.objects.filter(user=user).exists()


def test_delete_identity_answers_the_updated_user(api, user):
    Identity.objects.create(user=user, target="github", external_user_id="42")
    response = api.delete(f"/api/users/{user.pk}/identities/github")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["identities"] == {}


def test_delete_a_missing_identity_is_404_identity_not_exist(api, user):
    response = api.delete(f"/api/users/{user.pk}/identities/google")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "user.identity_not_exist"


def test_mfa_verifications_list_shows_no_secrets(api, user):
    MfaFactor.objects.create(user=user, type="Totp", secret="JBSWY3DPEHPK3PXP")
    MfaFactor.objects.create(user=user, type="BackupCode", details={"remainCodes": 7})
    MfaFactor.objects.create(user=user, type="WebAuthn", name="Laptop", details={"agent": "Chrome"})
    response = api.get(f"/api/users/{user.pk}/mfa-verifications")
    assert response.status_code == HTTPStatus.OK
    items = {i["type"]: i for i in response.json()}
    assert items["BackupCode"]["remainCodes"] == 7
    assert items["WebAuthn"]["agent"] == "Chrome" and items["WebAuthn"]["name"] == "Laptop"
    assert isinstance(items["Totp"]["createdAt"], str)
    assert "JBSWY3DPEHPK3PXP" not in response.content.decode()


def test_delete_an_mfa_verification(api, user):
    factor = MfaFactor.objects.create(user=user, type="Totp")
    assert api.delete(f"/api/users/{user.pk}/mfa-verifications/{factor.pk}").status_code == 204
    assert not MfaFactor.objects.exists()
    response = api.delete(f"/api/users/{user.pk}/mfa-verifications/{factor.pk}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "entity.not_found"


def test_organizations_of_a_user_with_their_roles(api, user):
    org = OrganizationFactory(name="Acme")
    membership = Membership.objects.create(user=user, organization=org)
    membership.roles.set([OrganizationRole.objects.create(name="admin")])
    response = api.get(f"/api/users/{user.pk}/organizations")
    assert response.status_code == HTTPStatus.OK
    [item] = response.json()
    assert (item["id"], item["name"]) == (org.pk, "Acme")
    assert [r["name"] for r in item["organizationRoles"]] == ["admin"]
    assert isinstance(item["createdAt"], int)


def test_organizations_of_an_unknown_user_is_404(api, db):
    assert api.get("/api/users/nosuchuser12/organizations").status_code == 404


def test_sso_identities_only_on_request(api, user):
    from users.models import SsoIdentity

    SsoIdentity.objects.create(
        user=user, issuer="https://idp.example.com", identity_id="u-1", connector_id="okta"
    )
    assert "ssoIdentities" not in api.get(f"/api/users/{user.pk}").json()
    data = api.get(f"/api/users/{user.pk}", {"includeSsoIdentities": "true"}).json()
    [sso] = data["ssoIdentities"]
    assert (sso["issuer"], sso["identityId"], sso["ssoConnectorId"]) == (
        "https://idp.example.com",
        "u-1",
        "okta",
    )
