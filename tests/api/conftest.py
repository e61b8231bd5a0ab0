"""Fixtures for the Management API: an M2M application with access, and a client that sends its
bearer token and JSON bodies."""

import json

import pytest

from audit.recorder import Origin
from users.access.applications import create_application
from users.models import Application


class ApiClient:
    """django.test.Client speaking to /api with `Authorization: Bearer <token>` and JSON."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self, headers):
        out = {}
        if self.token is not None:
            out["Authorization"] = f"Bearer {self.token}"
        out.update(headers or {})
        return out

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def _send(self, method, path, body, headers, raw=None):
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return getattr(self.client, method)(
            path, data, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path, body=None, headers=None, raw=None):
        return self._send("post", path, body, headers, raw)

    def patch(self, path, body=None, headers=None, raw=None):
        return self._send("patch", path, body, headers, raw)

    def put(self, path, body=None, headers=None, raw=None):
        return self._send("put", path, body, headers, raw)

    def delete(self, path, headers=None):
        return self.client.delete(path, headers=self._headers(headers))


@pytest.fixture
def m2m_app(db):
    """A machine-to-machine application holding the "Management API access" role."""
    from signin.management import grant_management_access

    origin = Origin.system("tests")
    app = create_application(
        origin=origin, name="Billing sync", type=Application.Type.MACHINE_TO_MACHINE
    )
    grant_management_access(app, origin=origin)
    return app


@pytest.fixture
def api_token(m2m_app):
    from signin.management import issue_access_token

    token, _ = issue_access_token(m2m_app)
    return token


@pytest.fixture
def api(client, api_token):
    return ApiClient(client, api_token)


@pytest.fixture
def anonymous_api(client):
    return ApiClient(client, None)
