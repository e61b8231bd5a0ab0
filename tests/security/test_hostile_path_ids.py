"""Every id in every console URL (read from the URL resolver) refuses ids that cannot exist — NUL,
control characters, non-ASCII, over-long, traversal, markup — with a 404 that changes nothing."""

from http import HTTPStatus

import pytest
from django.test import Client

from tests.security.probes import HOSTILE_IDS, World, console_routes, snapshot, unescaped

pytestmark = pytest.mark.django_db
ROUTES_WITH_IDS = [r for r in console_routes() if r.params]
HTMX = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def test_the_sweep_covers_every_kind_of_console_id():
    params = {p for route in ROUTES_WITH_IDS for p in route.params}
    assert {"user_id", "role_id", "resource_id", "scope_id", "organization_id"} <= params
    assert {"application_id", "log_id", "token_id", "identity_id", "factor_id"} <= params


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
def test_a_hostile_id_is_a_404_that_changes_nothing(admin_user, route):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    world = World.build()
    before = snapshot()
    assert client.get(world.url(route)).status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    for param in route.params:
        for label, bad in HOSTILE_IDS.items():
            url = route.url({**world.values_for(route), param: bad})
            for method in (client.get, client.post):
                response = method(url, headers=HTMX)
                where = f"{method.__name__.upper()} {url[:120]} ({param}={label})"
                assert response.status_code == HTTPStatus.NOT_FOUND, where
                assert not unescaped(response.content.decode(errors="replace")), where
    assert snapshot() == before
