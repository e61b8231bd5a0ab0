"""A username the sign-in form refuses (NUL byte, over-long) is a 400 with the form; it crashed the
throttle's forget step with a 500 (found by the probe suite)."""

from http import HTTPStatus

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["ad\x00min", "a" * 129, "\x00"])
def test_a_refused_username_is_a_400_not_a_500(username):
    client = Client(raise_request_exception=False)
    response = client.post("/console/sign-in", {"username": username, "password": "whatever"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "<form" in response.content.decode()
    assert "_auth_user_id" not in client.session
