"""A log in Logto's JSON shape (spec §6.16): what GET /api/logs will return."""

from datetime import UTC, datetime

import pytest

from audit.serializers import log_to_json, parse_user_agent, pretty_json, printable
from tests.audit.factories import CHROME_ON_WINDOWS, SAFARI_ON_IPHONE, LogFactory
from tests.factories import SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_has_logtos_shape_with_camel_case_and_epoch_milliseconds():
    user = UserFactory()
    log = LogFactory(
        user=user,
        key="Interaction.SignIn.Submit",
        result="Error",
        ip="203.0.113.7",
        application_id="app123",
        user_agent=CHROME_ON_WINDOWS,
        payload={"interactionEvent": "SignIn", "error": {"code": "session.invalid_credentials"}},
        created_at=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
    )
    data = log_to_json(log)
    assert set(data) == {"tenantId", "id", "key", "payload", "createdAt"}
    assert data["tenantId"] == "default"
    assert (data["id"], data["key"]) == (log.id, "Interaction.SignIn.Submit")
    assert data["createdAt"] == 1767323045678
    payload = data["payload"]
    assert payload["key"] == "Interaction.SignIn.Submit" and payload["result"] == "Error"
    assert payload["ip"] == "203.0.113.7" and payload["userId"] == user.pk
    assert payload["applicationId"] == "app123" and payload["userAgent"] == CHROME_ON_WINDOWS
    assert payload["error"] == {"code": "session.invalid_credentials"}
    assert payload["userAgentParsed"]["browser"] == {
        "name": "Chrome",
        "version": "131.0.0",
        "major": "131",
    }
    assert payload["userAgentParsed"]["os"] == {"name": "Windows", "version": "10"}


def test_a_payload_cannot_pretend_to_another_key_result_or_user():
    log = LogFactory(
        key="RevokeToken", payload={"key": "X", "result": "Success", "userId": "u"}, result="Error"
    )
    log.user_ref = "real"
    payload = log_to_json(log)["payload"]
    assert (payload["key"], payload["result"], payload["userId"]) == (
        "RevokeToken",
        "Error",
        "real",
    )


def test_admin_actions_carry_their_actor():
    admin = SuperuserFactory()
    log = LogFactory(key="Console.User.Suspend", actor=admin, actor_label="boss@example.com")
    assert log_to_json(log)["payload"]["actor"] == {"id": admin.pk, "label": "boss@example.com"}


def test_empty_fields_are_left_out():
    payload = log_to_json(LogFactory(ip=None, user_agent="", payload={}))["payload"]
    assert set(payload) == {"key", "result"}


def test_the_tenant_id_can_be_set(settings):
    settings.LOGTO_TENANT_ID = "acme"
    assert log_to_json(LogFactory())["tenantId"] == "acme"


def test_the_user_agent_parser_finds_browser_os_and_device():
    agent = parse_user_agent(SAFARI_ON_IPHONE)
    assert (agent.browser, agent.browser_version) == ("Mobile Safari", "18.1")
    assert (agent.os, agent.os_version) == ("iOS", "18.1")
    assert (agent.device, agent.device_brand) == ("iPhone", "Apple")
    assert not parse_user_agent("") and not parse_user_agent("<script>")


def test_pretty_json_keeps_text_readable_and_makes_invisible_characters_visible():
    text = pretty_json({"name": "Zoë", "ua": "a\x1bb\u202ec\x85"})
    assert '"name": "Zoë"' in text
    assert r'"ua": "a\u001bb\u202ec\u0085"' in text
    assert text.startswith("{\n  ")


def test_printable_escapes_line_breaks_and_terminal_codes():
    assert printable("a\r\nb\x1b[0m") == r"a\x0d\x0ab\x1b[0m"
    assert printable(None) == ""
