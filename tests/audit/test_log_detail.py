"""Log details: /console/users/<id>/logs/<log_id> and /console/audit-logs/<log_id>."""

import json
import re
from html import unescape
from http import HTTPStatus

import pytest

from tests.audit.factories import SAFARI_ON_IPHONE, LogFactory
from tests.factories import ApplicationFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory(name="Ann Smith", primary_email="ann@example.com")


def raw_json(body: str) -> dict:
    match = re.search(r'<pre id="raw-json" class="json">(.*?)</pre>', body, re.S)
    return json.loads(unescape(match[1]))


def test_it_shows_the_event_result_time_application_ip_and_parsed_agent(admin_client, person):
    app = ApplicationFactory(name="Acme iOS")
    log = LogFactory(
        user=person,
        key="Interaction.SignIn.Submit",
        result="Error",
        application_id=app.pk,
        ip="2001:db8::7",
        user_agent=SAFARI_ON_IPHONE,
    )
    response = admin_client.get(f"/console/users/{person.id}/logs/{log.id}")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Submit sign-in interaction" in body and "<code>Interaction.SignIn.Submit</code>" in body
    assert '<span class="tag danger">Error</span>' in body
    assert f'<time datetime="{log.created_at.isoformat()}"' in body
    assert f"Acme iOS · id <code>{app.pk}</code>" in body
    assert "<code>2001:db8::7</code>" in body
    assert "<dd>Mobile Safari 18.1</dd>" in body
    assert "<dd>iOS 18.1</dd>" in body
    assert "<dd>iPhone (Apple)</dd>" in body
    assert 'aria-current="page">Logs</a>' in body  # the user's tabs


def test_the_raw_data_is_the_api_json_pretty_printed_with_a_copy_button(admin_client, person):
    log = LogFactory(user=person, payload={"interactionEvent": "SignIn", "n": [1, 2]})
    body = admin_client.get(f"/console/users/{person.id}/logs/{log.id}").content.decode()
    assert '<button type="button" class="copy" data-copy-target="#raw-json">Copy</button>' in body
    data = raw_json(body)
    assert data["id"] == log.id and data["key"] == "Interaction.SignIn.Submit"
    assert data["payload"]["interactionEvent"] == "SignIn"
    assert data["payload"]["userId"] == person.id
    assert "\n  &quot;id&quot;: " in body  # indented, and escaped


def test_an_admin_action_shows_the_admin_as_actor(admin_client, person):
    admin = SuperuserFactory(primary_email="boss@example.com")
    log = LogFactory(
        user=person, key="Console.User.Suspend", actor=admin, actor_label="boss@example.com"
    )
    body = admin_client.get(f"/console/users/{person.id}/logs/{log.id}").content.decode()
    assert "Suspend user" in body
    assert f'Admin\n      <a href="/console/users/{admin.id}">boss@example.com</a>' in body


def test_an_unparseable_agent_says_unknown(admin_client, person):
    log = LogFactory(user=person, user_agent="")
    body = admin_client.get(f"/console/users/{person.id}/logs/{log.id}").content.decode()
    assert "<dd>Unknown </dd>" in body


def test_another_users_entry_is_404_under_this_user(admin_client, person):
    log = LogFactory(user=UserFactory())
    response = admin_client.get(f"/console/users/{person.id}/logs/{log.id}")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_an_unknown_entry_is_404(admin_client, person):
    response = admin_client.get(f"/console/users/{person.id}/logs/nosuchlog")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert admin_client.get("/console/audit-logs/nosuchlog").status_code == HTTPStatus.NOT_FOUND


def test_the_console_wide_details_show_the_user(admin_client, person):
    log = LogFactory(user=person)
    body = admin_client.get(f"/console/audit-logs/{log.id}").content.decode()
    assert f'<a href="/console/users/{person.id}">ann@example.com</a>' in body
    assert '<a href="/console/audit-logs">← Back to audit logs</a>' in body


def test_an_entry_of_a_deleted_user_still_opens_with_the_snapshot(admin_client, person):
    log = LogFactory(user=person)
    person_id = person.id
    person.delete()
    body = admin_client.get(f"/console/audit-logs/{log.id}").content.decode()
    assert f"ann@example.com · id <code>{person_id}</code>" in body and "(deleted)" in body


def test_a_viewer_admin_can_read_details(viewer_client, person):
    log = LogFactory(user=person)
    assert viewer_client.get(f"/console/users/{person.id}/logs/{log.id}").status_code == 200
    assert viewer_client.get(f"/console/audit-logs/{log.id}").status_code == 200


def test_non_staff_are_refused_and_anonymous_sent_to_sign_in(client, end_user, person):
    log = LogFactory(user=person)
    for url in (f"/console/users/{person.id}/logs/{log.id}", f"/console/audit-logs/{log.id}"):
        assert client.get(url).status_code == HTTPStatus.FOUND
        client.force_login(end_user)
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN
        client.logout()


def test_it_rejects_post(admin_client, person):
    log = LogFactory(user=person)
    for url in (f"/console/users/{person.id}/logs/{log.id}", f"/console/audit-logs/{log.id}"):
        assert admin_client.post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
