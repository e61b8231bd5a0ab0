"""Only admins (superusers) manage members: viewers and editors get 403 on every Members URL,
for every method, and nothing changes."""

from http import HTTPStatus

import pytest

from audit.models import Log
from tests.factories import EditorFactory, SuperuserFactory, UserFactory, ViewerFactory
from users import staff

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["viewer", "editor"])
def staff_client(request, client):
    persona = ViewerFactory() if request.param == "viewer" else EditorFactory()
    client.force_login(persona)
    return client


def member_urls(target):
    return [
        "/console/members",
        "/console/members/new",
        "/console/members/grant",
        f"/console/members/{target.pk}/role",
        f"/console/members/{target.pk}/remove",
    ]


def test_viewers_and_editors_get_403_on_every_page(staff_client):
    target = ViewerFactory()
    for url in member_urls(target):
        assert staff_client.get(url).status_code == HTTPStatus.FORBIDDEN, url


def test_viewers_and_editors_get_403_on_every_change_and_nothing_changes(staff_client):
    SuperuserFactory()
    target = ViewerFactory()
    outsider = UserFactory(username="outsider")
    changes = Log.objects.exclude(key="Console.Refused")
    logs = changes.count()
    posts = {
        "/console/members/new": {"username": "sneaky", "role": "admin"},
        "/console/members/grant": {"identifier": "outsider", "role": "admin"},
        f"/console/members/{target.pk}/role": {"role": "admin"},
        f"/console/members/{target.pk}/remove": {},
    }
    for url, data in posts.items():
        assert staff_client.post(url, data).status_code == HTTPStatus.FORBIDDEN, url
    target.refresh_from_db()
    outsider.refresh_from_db()
    assert staff.role_of(target) == staff.VIEWER
    assert not outsider.is_staff
    assert not staff.find_by_identifier("sneaky")
    assert changes.count() == logs
    assert Log.objects.filter(key="Console.Refused").count() == len(
        posts
    )  # each refusal is recorded


def test_non_staff_users_get_403(client, end_user):
    client.force_login(end_user)
    assert client.get("/console/members").status_code == HTTPStatus.FORBIDDEN
