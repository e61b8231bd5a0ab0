import json
from http import HTTPStatus

import pytest

from audit.models import Log

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true", "HX-Target": "profile-card"}


def post(client, user, headers=None, **values):
    data = {"profile-updated_at": values.pop("updated_at", user.updated_at.isoformat())}
    data["profile-name"] = user.name
    data["profile-custom_data"] = json.dumps(user.custom_data)
    data.update({f"profile-{k}": v for k, v in values.items()})
    return client.post(
        f"/console/users/{user.id}/profile", data, headers=HX if headers is None else headers
    )


def test_it_saves_name_avatar_claims_and_custom_data(admin_client, subject):
    response = post(
        admin_client,
        subject,
        name="Ann B. Lee",
        avatar="https://example.com/ann.png",
        given_name="Ann",
        family_name="Lee",
        birthdate="1990-04-01",
        zoneinfo="Europe/London",
        locale="en-GB",
        website="https://ann.example",
        address_locality="London",
        custom_data='{"plan": "pro", "seats": 3}',
    )
    assert response.status_code == HTTPStatus.OK
    assert "Profile saved." in response.content.decode()
    subject.refresh_from_db()
    assert subject.name == "Ann B. Lee" and subject.avatar == "https://example.com/ann.png"
    assert subject.custom_data == {"plan": "pro", "seats": 3}
    assert subject.profile == {
        "givenName": "Ann",
        "familyName": "Lee",
        "birthdate": "1990-04-01",
        "zoneinfo": "Europe/London",
        "locale": "en-GB",
        "website": "https://ann.example",
        "address": {"locality": "London"},
    }


def test_custom_data_is_shown_pretty_printed(admin_client, subject):
    subject.custom_data = {"plan": "pro"}
    subject.save()
    body = admin_client.get(f"/console/users/{subject.id}").content.decode()
    assert "{\n  &quot;plan&quot;: &quot;pro&quot;\n}" in body


def test_it_audits_the_fields_that_changed_old_to_new(admin_client, subject):
    post(admin_client, subject, name="Ann Changed")
    log = Log.objects.get(key="Console.User.Profile.Update")
    assert log.payload["changes"]["name"] == {"old": "Ann Lee", "new": "Ann Changed"}
    assert set(log.payload["changes"]) == {"name"}  # only what changed


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("custom_data", "[]", "must be a JSON object"),
        ("custom_data", '"x"', "must be a JSON object"),
        ("custom_data", "{not json", "not valid JSON"),
        ("custom_data", "[" * 2000 + "]" * 2000, "nested too deeply"),
        ("custom_data", '{"a": ' * 20 + "1" + "}" * 20, "nest at most"),
        ("custom_data", json.dumps({"big": "x" * 40_000}), "at most 32 KiB"),
        ("custom_data", '{"a": "\\u0000"}', "Null characters"),
        ("custom_data", '{"a": "\\ud800"}', "not valid text"),
        ("avatar", "javascript:alert(1)", "http:// or https://"),
        ("avatar", "ftp://example.com/a.png", "http:// or https://"),
        ("website", "data:text/html,hi", "http:// or https://"),
        ("birthdate", "1990-13-45", "YYYY-MM-DD"),
        ("zoneinfo", "Mars/Olympus", "Select a valid choice"),
        ("locale", "not a locale", "language tag"),
        ("name", "x" * 129, "at most 128"),
    ],
)
def test_invalid_input_is_refused_inline_and_changes_nothing(
    admin_client, subject, field, value, message
):
    before = (subject.name, subject.avatar, subject.custom_data, subject.profile)
    response = post(admin_client, subject, **{"name": "Changed", field: value})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    subject.refresh_from_db()
    assert (subject.name, subject.avatar, subject.custom_data, subject.profile) == before
    assert not Log.objects.filter(key="Console.User.Profile.Update").exists()


def test_a_megabyte_of_custom_data_is_refused(admin_client, subject):
    response = post(admin_client, subject, custom_data=json.dumps({"a": "x" * 1_000_000}))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    subject.refresh_from_db()
    assert subject.custom_data == {}


def test_nul_bytes_in_text_fields_are_refused(admin_client, subject):
    response = post(admin_client, subject, nickname="a\x00b")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    subject.refresh_from_db()
    assert subject.profile == {}


def test_two_editors_the_second_is_refused_not_overwriting(admin_client, subject):
    opened_at = subject.updated_at.isoformat()
    assert post(admin_client, subject, name="First Editor").status_code == HTTPStatus.OK
    subject.refresh_from_db()
    response = post(admin_client, subject, updated_at=opened_at, name="Second Editor")
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert "changed by someone else" in body and "Reload" in body
    subject.refresh_from_db()
    assert subject.name == "First Editor"


def test_an_api_style_change_also_makes_the_console_form_stale(admin_client, subject):
    from audit.recorder import Origin
    from users import services

    opened_at = subject.updated_at.isoformat()
    services.update_profile(subject, origin=Origin(channel="ManagementApi"), name="From The API")
    response = post(admin_client, subject, updated_at=opened_at, name="From The Console")
    assert response.status_code == HTTPStatus.CONFLICT


def test_without_htmx_a_save_redirects_and_an_error_renders_the_page(admin_client, subject):
    assert post(admin_client, subject, headers={}, name="Plain").status_code == HTTPStatus.FOUND
    subject.refresh_from_db()
    response = post(admin_client, subject, headers={}, custom_data="[]")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "<html" in response.content.decode()


def test_a_viewer_gets_403(viewer_client, subject):
    assert post(viewer_client, subject, name="Viewer").status_code == HTTPStatus.FORBIDDEN
    subject.refresh_from_db()
    assert subject.name == "Ann Lee"
