from http import HTTPStatus

import pytest

from audit.models import Log
from audit.recorder import Origin
from users import services
from users.models import Identity, MfaFactor, PersonalAccessToken, User

pytestmark = pytest.mark.django_db


def url(user):
    return f"/console/users/{user.id}/delete"


def test_the_dialog_names_the_user_and_asks_to_type_an_identifier(
    admin_client, subject, htmx_dialog
):
    body = admin_client.get(url(subject), headers=htmx_dialog).content.decode()
    assert "Ann Lee" in body and "Type ann_lee to confirm" in body


def test_a_wrong_confirmation_deletes_nothing(admin_client, subject, htmx_dialog):
    response = admin_client.post(
        url(subject), {"confirmation": "someone_else"}, headers=htmx_dialog
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Type ann_lee exactly" in response.content.decode()
    assert User.objects.filter(pk=subject.pk).exists()


def test_it_deletes_the_user_and_all_that_belongs_to_them(admin_client, subject, htmx_dialog):
    MfaFactor.objects.create(user=subject, type="Totp")
    services.create_personal_access_token(subject, origin=Origin("Console"), name="ci")
    response = admin_client.post(url(subject), {"confirmation": "ann_lee"}, headers=htmx_dialog)
    assert response["HX-Redirect"] == "/console/users"
    assert not User.objects.filter(pk=subject.pk).exists()
    for model in (Identity, MfaFactor, PersonalAccessToken):
        assert not model.objects.filter(user_id=subject.pk).exists()
    assert "User ann@example.com deleted." in admin_client.get("/console/users").content.decode()


def test_audit_rows_are_kept_with_a_snapshot(admin_client, subject):
    services.update_profile(subject, origin=Origin("Console"), name="Before Delete")
    admin_client.post(url(subject), {"confirmation": "ANN_LEE"})
    rows = Log.objects.filter(user_ref=subject.pk)
    assert rows.count() == 2 and all(r.user_id is None for r in rows)
    delete = rows.get(key="Console.User.Delete")
    assert delete.user_label == "ann@example.com"
    assert delete.payload["user"]["username"] == "ann_lee"


def test_without_htmx_it_redirects_to_the_table(admin_client, subject):
    response = admin_client.post(url(subject), {"confirmation": "ann_lee"})
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == "/console/users"


def test_an_admin_cannot_delete_themselves(admin_client, admin_user):
    response = admin_client.post(url(admin_user), {"confirmation": admin_user.username})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_a_failure_midway_rolls_the_whole_delete_back(admin_client, subject, monkeypatch):
    def broken_delete(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(User, "delete", broken_delete)
    with pytest.raises(RuntimeError):
        services.delete_user(subject, origin=Origin("Console"))
    assert User.objects.filter(pk=subject.pk).exists()
    assert not Log.objects.filter(key="Console.User.Delete").exists()


def test_a_viewer_gets_403(viewer_client, subject):
    response = viewer_client.post(url(subject), {"confirmation": "ann_lee"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert User.objects.filter(pk=subject.pk).exists()


def test_deleting_a_user_ends_their_sessions(admin_client):
    from django.test import Client

    from tests.factories import SuperuserFactory
    from users.models import UserSession

    doomed = SuperuserFactory(username="doomed")
    browser = Client()
    browser.force_login(doomed)
    admin_client.post(url(doomed), {"confirmation": "doomed"})
    assert not User.objects.filter(pk=doomed.pk).exists()
    assert not UserSession.objects.filter(user_id=doomed.pk).exists()
    assert browser.get("/console/users").status_code == HTTPStatus.FOUND
