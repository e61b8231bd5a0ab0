"""The IP in an audit row comes from REMOTE_ADDR unless trusted proxies are configured: a client
that writes its own X-Forwarded-For never changes it."""

import pytest

from audit.models import Log

pytestmark = pytest.mark.django_db


def add_user(client, **headers):
    client.post("/console/users/new", {"username": "ann"}, REMOTE_ADDR="203.0.113.9", **headers)
    return Log.objects.get(key="Console.User.Create")


def test_without_trusted_proxies_a_forged_header_is_ignored(admin_client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    log = add_user(admin_client, HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert log.ip == "203.0.113.9"


def test_behind_one_trusted_proxy_the_address_it_saw_is_recorded(admin_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    log = add_user(admin_client, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert log.ip == "198.51.100.7"


def test_the_user_agent_is_recorded_as_sent(admin_client, settings):
    log = add_user(admin_client, HTTP_USER_AGENT="<b>Agent</b>\r\nX-Evil: 1")
    assert log.user_agent == "<b>Agent</b>\r\nX-Evil: 1"
