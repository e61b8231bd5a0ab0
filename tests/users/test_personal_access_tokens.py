import logging
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from audit.models import Log
from audit.recorder import Origin
from users import services, tokens
from users.models import PersonalAccessToken

pytestmark = pytest.mark.django_db


def shown_token(body):
    start = body.index('id="token-value">') + len('id="token-value">')
    return body[start : body.index("</code>", start)]


def test_a_token_is_shown_once_and_only_its_hash_is_stored(
    admin_client, subject, htmx_dialog, caplog
):
    caplog.set_level(logging.DEBUG)
    response = admin_client.post(
        f"/console/users/{subject.id}/tokens/new",
        {"name": "ci", "expires_in": "30"},
        headers=htmx_dialog,
    )
    assert response.status_code == HTTPStatus.OK and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    value = shown_token(body)
    assert value.startswith("pat_") and len(value) == 36 and 'hx-history="false"' in body
    token = PersonalAccessToken.objects.get(user=subject)
    assert token.token_hash == tokens.digest(value) and value not in token.token_hash
    assert token.expires_at > timezone.now() + timedelta(days=29)
    assert tokens.user_for_personal_access_token(value) == subject
    assert value not in caplog.text
    assert not any(value in str(log.payload) for log in Log.objects.all())
    page = admin_client.get(f"/console/users/{subject.id}").content.decode()
    assert "ci" in page and value not in page


def test_token_names_are_unique_per_user(admin_client, subject, htmx_dialog):
    services.create_personal_access_token(subject, origin=Origin("Console"), name="ci")
    response = admin_client.post(
        f"/console/users/{subject.id}/tokens/new", {"name": "ci"}, headers=htmx_dialog
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert "This user has a token with this name." in response.content.decode()
    assert PersonalAccessToken.objects.filter(user=subject).count() == 1


def test_a_token_can_be_renamed_and_deleted(admin_client, subject):
    created = services.create_personal_access_token(subject, origin=Origin("Console"), name="old")
    token = created.token
    admin_client.post(f"/console/users/{subject.id}/tokens/{token.id}/rename", {"name": "new"})
    token.refresh_from_db()
    assert token.name == "new"
    admin_client.post(f"/console/users/{subject.id}/tokens/{token.id}/delete")
    assert not PersonalAccessToken.objects.filter(pk=token.pk).exists()
    assert tokens.user_for_personal_access_token(created.value) is None
    keys = list(Log.objects.order_by("created_at").values_list("key", flat=True))
    assert keys[-3:] == [
        "Console.User.PersonalAccessToken.Create",
        "Console.User.PersonalAccessToken.Rename",
        "Console.User.PersonalAccessToken.Delete",
    ]


def test_truncated_altered_and_expired_tokens_are_refused(subject):
    created = services.create_personal_access_token(subject, origin=Origin("Console"), name="ci")
    value = created.value
    altered = value[:-1] + ("A" if value[-1] != "A" else "B")
    for wrong in (value[:-1], altered, value + "x", "", None, "pat_", value.upper()):
        assert tokens.user_for_personal_access_token(wrong) is None
    PersonalAccessToken.objects.filter(pk=created.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert tokens.user_for_personal_access_token(value) is None


def test_a_viewer_cannot_create_tokens(viewer_client, subject):
    response = viewer_client.post(f"/console/users/{subject.id}/tokens/new", {"name": "ci"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not PersonalAccessToken.objects.exists()


def test_an_empty_name_is_an_inline_error(admin_client, subject, htmx_dialog):
    response = admin_client.post(
        f"/console/users/{subject.id}/tokens/new", {"name": " "}, headers=htmx_dialog
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not PersonalAccessToken.objects.exists()
