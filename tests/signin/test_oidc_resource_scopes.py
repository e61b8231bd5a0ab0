"""An access token for an API resource carries the scopes the user's roles grant on it, no more."""

from http import HTTPStatus

import pytest
from oauth2_provider.models import get_access_token_model

from audit.recorder import Origin
from tests.signin.oidc_flow import get_code, redeem
from users.access.resources import create_resource, create_scope
from users.access.roles import assign_roles, create_role

API = "https://shop.example.com/api"


@pytest.fixture
def shop_api(db, oidc_user):
    origin = Origin.system("test")
    resource = create_resource(origin=origin, name="Shop API", indicator=API)
    read = create_scope(resource, origin=origin, name="read:orders")
    create_scope(resource, origin=origin, name="write:orders")
    role = create_role(origin=origin, name="Customer", scopes=[read])
    assign_roles(oidc_user, [role], origin=origin)
    return resource


def test_the_token_carries_only_the_granted_scopes(client, oidc_app, oidc_user, shop_api):
    code, verifier = get_code(
        client,
        oidc_app,
        oidc_user,
        scope="openid read:orders write:orders",
        resource=API,
    )
    response = redeem(client, oidc_app, code, verifier)
    assert response.status_code == HTTPStatus.OK, response.content
    token = get_access_token_model().objects.get(user=oidc_user)
    assert set(token.scope.split()) == {"openid", "read:orders"}
    assert token.resource == [API]


def test_without_a_resource_no_api_scope_is_granted(client, oidc_app, oidc_user, shop_api):
    code, verifier = get_code(client, oidc_app, oidc_user, scope="openid read:orders")
    redeem(client, oidc_app, code, verifier)
    token = get_access_token_model().objects.get(user=oidc_user)
    assert token.scope.split() == ["openid"]
