"""Log text is stored as given and escaped when shown: markup in a user agent, a payload or a
label never becomes markup, and control characters are made visible."""

import pytest

from tests.audit.factories import LogFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

XSS = "<img src=x onerror=alert(1)>\"'<script>alert(2)</script>"
LOG_TABLE = {"HX-Request": "true", "HX-Target": "log-table"}


@pytest.fixture
def person():
    return UserFactory(name=XSS)


@pytest.fixture
def hostile_log(person):
    return LogFactory(
        user=person,
        user_label=XSS,
        actor_label=XSS,
        application_id="<b>app</b>",
        user_agent=XSS,
        payload={XSS: XSS, "nested": [{"html": "</pre><script>alert(3)</script>"}]},
    )


def assert_escaped(body: str, *, shown: bool = True):
    assert "<img src=x" not in body
    assert "<script>alert" not in body
    assert "</pre><script>" not in body
    if shown:
        assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_the_user_logs_tab_escapes_everything(admin_client, person, hostile_log):
    body = admin_client.get(f"/console/users/{person.id}/logs").content.decode()
    assert_escaped(body)  # the name in the header
    body = admin_client.get(f"/console/users/{person.id}/logs", headers=LOG_TABLE).content.decode()
    assert_escaped(body, shown=False)
    assert "&lt;b&gt;app&lt;/b&gt;" in body


def test_the_console_wide_log_escapes_labels(admin_client, hostile_log):
    for headers in ({}, LOG_TABLE):
        assert_escaped(admin_client.get("/console/audit-logs", headers=headers).content.decode())


def test_the_details_escape_the_agent_and_the_raw_json(admin_client, person, hostile_log):
    for url in (
        f"/console/users/{person.id}/logs/{hostile_log.id}",
        f"/console/audit-logs/{hostile_log.id}",
    ):
        body = admin_client.get(url).content.decode()
        assert_escaped(body)
        assert "&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in body


def test_an_event_key_in_the_url_cannot_inject_into_the_menu(admin_client, person):
    response = admin_client.get(f"/console/users/{person.id}/logs", {"event": '"><script>'})
    assert response.status_code == 400
    assert '"><script>' not in response.content.decode()


def test_control_characters_in_the_agent_are_shown_not_obeyed(admin_client, person):
    log = LogFactory(user=person, user_agent="Evil\r\nX-Injected: 1\x1b[31m\u202eexe.txt")
    body = admin_client.get(f"/console/users/{person.id}/logs/{log.id}").content.decode()
    assert r"Evil\x0d\x0aX-Injected: 1\x1b[31m\u202eexe.txt" in body
    assert "\x1b" not in body and "\u202e" not in body
