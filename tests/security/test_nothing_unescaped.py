"""Markup stored anywhere a console page shows it (names, identifiers, custom data, audit entries)
comes back escaped on every console page, whole or as an htmx fragment."""

from http import HTTPStatus

import pytest
from django.test import Client

from audit.models import Log
from tests.security.probes import XSS, World, console_routes, unescaped
from users.models import (
    ApiResource,
    Application,
    Identity,
    Organization,
    OrganizationRole,
    PersonalAccessToken,
    Role,
    Scope,
    User,
)

pytestmark = pytest.mark.django_db


def _store_markup_everywhere(world):
    ids = world.ids
    User.objects.filter(pk=ids["user_id"]).update(name=XSS, custom_data={"note": XSS})
    Identity.objects.filter(pk=ids["identity_id"]).update(external_user_id=XSS)
    PersonalAccessToken.objects.filter(pk=ids["token_id"]).update(name=XSS)
    Role.objects.filter(pk=ids["role_id"]).update(name=XSS, description=XSS)
    OrganizationRole.objects.filter(pk=ids["organization_role_id"]).update(name=XSS + "o")
    ApiResource.objects.filter(pk=ids["resource_id"]).update(name=XSS)
    Scope.objects.filter(pk=ids["scope_id"]).update(description=XSS)
    Organization.objects.filter(pk=ids["organization_id"]).update(
        name=XSS, description=XSS, custom_data={XSS: XSS}
    )
    Application.objects.filter(pk=ids["application_id"]).update(name=XSS, description=XSS)
    Log.objects.filter(pk=ids["log_id"]).update(
        user_label=XSS, user_agent=XSS, payload={"error": XSS}
    )


@pytest.mark.parametrize("route", console_routes(), ids=str)
def test_stored_markup_is_escaped_on_every_page(admin_user, route):
    world = World.build()
    _store_markup_everywhere(world)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    url = world.url(route)
    for headers in ({}, {"HX-Request": "true", "HX-Target": "dialog-slot"}):
        response = client.get(url, headers=headers)
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, url
        assert not unescaped(response.content.decode()), f"{url} {headers}"
