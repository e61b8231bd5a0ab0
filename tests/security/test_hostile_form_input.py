"""Every console form (found from the URL resolver and the pages it renders) gets every hostile
value in each of its fields in turn, the others left as the page filled them in. No answer is a 5xx,
a refusal (4xx) writes nothing, and nothing sent comes back unescaped."""

from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.security.probes import (
    HOSTILE_VALUES,
    World,
    console_routes,
    page_forms,
    snapshot,
    unescaped,
)

pytestmark = pytest.mark.django_db
ROUTES = console_routes()
HTMX = {"HX-Request": "true", "HX-Target": "dialog-slot"}
# Sign-in counts refused attempts (console.SignInAttempt) and may audit them: only the
# directory itself must stay unchanged.
SIGN_IN = "console:sign-in"
MAX_PROBES = 60


def _client(route, admin_user):
    client = Client(raise_request_exception=False)
    if route.name != SIGN_IN:
        client.force_login(admin_user)
    return client


def _forms_for(client, url):
    """The forms that submit to `url`: on its own page (dialog or whole page), or, for a POST-only
    URL, on the page one level up (a user's Settings cards post to /identifiers, /profile)."""
    found = {}
    for page in (url, url.rsplit("/", 1)[0]):
        for headers in (HTMX, {}):
            response = client.get(page, headers=headers)
            if response.status_code >= HTTPStatus.BAD_REQUEST:
                continue
            for (method, action), fields in page_forms(response.content.decode()).items():
                target = urlsplit(action).path if action else page
                if target == url:
                    found.setdefault(method, fields)
            if found:
                return found
    return found


def _pairs(names):
    """(field, hostile value) pairs: all of them for a small form; for a big one (the profile card
    renders in ~0.5 s) a cover where every field meets several values and every value several
    fields, and custom data still meets them all."""
    values = list(HOSTILE_VALUES)
    if len(names) * len(values) <= MAX_PROBES:
        return [(n, v) for n in names for v in values]
    n, m = len(names), len(values)
    pairs = [(names[i % n], values[(i + i // n) % m]) for i in range(MAX_PROBES)]
    pairs += [(n, v) for n in names if n.endswith("custom_data") for v in values]
    return list(dict.fromkeys(pairs))


def _probe(client, url, method, fields, snap, where):
    """Send each hostile value in each field; returns how many requests were made."""
    baseline, sent = snap(), 0
    for name, label in _pairs(list(fields) or ["unexpected"]):
        value = HOSTILE_VALUES[label]
        data = {**fields, name: [value]}
        if method == "post":
            response = client.post(url, data, headers=HTMX)
        else:
            response = client.get(url, data, headers=HTMX)
        sent += 1
        status = response.status_code
        detail = f"{where} {method.upper()} {url} {name}={label}: {status}"
        assert status < HTTPStatus.INTERNAL_SERVER_ERROR, detail
        # getvalue(): a download (the user export) is a streamed response with no .content.
        assert not unescaped(response.getvalue().decode(errors="replace")), detail
        now = snap()
        if status >= HTTPStatus.BAD_REQUEST:
            assert now == baseline, f"a refusal wrote something: {detail}"
        elif now != baseline:
            # It was accepted and saved: carry on from the page as it is now (a fresh
            # updated_at, so the next probe is not merely a stale form).
            baseline = now
            fields = _forms_for(client, url).get(method, fields)
    return sent


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_hostile_input_in_every_form_field_is_refused_or_stored_safely(admin_user, route):
    client = _client(route, admin_user)
    world = World.build()
    url = world.url(route)
    snap = (lambda: snapshot(("users",))) if route.name == SIGN_IN else snapshot
    forms = _forms_for(client, url)
    sent = 0
    for method in ("get", "post"):
        if method in forms:
            sent += _probe(client, url, method, forms[method], snap, route.name)
        elif method == "post" and client.post(url).status_code != HTTPStatus.METHOD_NOT_ALLOWED:
            sent += _probe(client, url, "post", {}, snap, route.name)
    if not sent:
        # A page without a form still gets hostile query parameters.
        sent += _probe(client, url, "get", {}, snap, route.name)
    assert sent
