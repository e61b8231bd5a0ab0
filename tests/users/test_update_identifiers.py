from http import HTTPStatus

import pytest
from django.test import Client

from audit.models import Log
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true", "HX-Target": "authentication-card"}


def post(client, user, headers=None, **values):
    data = {
        "auth-updated_at": values.pop("updated_at", user.updated_at.isoformat()),
        "auth-primary_email": user.primary_email or "",
        "auth-primary_phone": user.primary_phone or "",
        "auth-username": user.username or "",
    }
    data.update({f"auth-{k}": v for k, v in values.items()})
    return client.post(f"/console/users/{user.id}/identifiers", data, headers=headers or {})


def test_it_saves_normalised_identifiers_and_returns_the_card(admin_client, subject):
    response = post(
        admin_client, subject, HX, primary_email="New@Example.ORG", primary_phone="+1 202 555 0143"
    )
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="authentication-card"')
    assert "Sign-in identifiers saved." in body
    subject.refresh_from_db()
    assert (subject.primary_email, subject.primary_phone) == ("New@example.org", "12025550143")


def test_without_htmx_it_redirects_back_with_a_message(admin_client, subject):
    response = post(admin_client, subject, username="ann_new")
    assert response.status_code == HTTPStatus.FOUND
    assert "Sign-in identifiers saved." in admin_client.get(response["Location"]).content.decode()


def test_it_audits_old_and_new_values(admin_client, subject, admin_user):
    post(admin_client, subject, HX, username="ann_renamed")
    log = Log.objects.get(key="Console.User.Identifiers.Update")
    assert log.payload == {"changes": {"username": {"old": "ann_lee", "new": "ann_renamed"}}}
    assert log.actor == admin_user and log.user_ref == subject.id


def test_saving_unchanged_values_writes_nothing(admin_client, subject):
    post(admin_client, subject, HX)
    assert not Log.objects.filter(key="Console.User.Identifiers.Update").exists()


def test_a_taken_identifier_names_the_field_and_changes_nothing(admin_client, subject):
    UserFactory(primary_email="taken@example.com")
    response = post(admin_client, subject, HX, primary_email="TAKEN@example.com")
    assert response.status_code == HTTPStatus.CONFLICT
    assert "This email is already in use." in response.content.decode()
    subject.refresh_from_db()
    assert subject.primary_email == "ann@example.com"


@pytest.mark.parametrize(
    ("field", "value"), [("primary_email", "bad"), ("username", "1abc"), ("primary_phone", "123")]
)
def test_invalid_values_are_refused(admin_client, subject, field, value):
    response = post(admin_client, subject, HX, **{field: value})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="field has-error"' in response.content.decode()
    subject.refresh_from_db()
    assert subject.username == "ann_lee" and subject.primary_email == "ann@example.com"


def test_a_stale_form_is_refused_with_a_way_to_reload(admin_client, subject):
    opened_at = subject.updated_at.isoformat()
    post(admin_client, subject, HX, username="first_editor")  # another admin saves first
    subject.refresh_from_db()
    response = post(admin_client, subject, HX, updated_at=opened_at, username="second_editor")
    assert response.status_code == HTTPStatus.CONFLICT
    assert "changed by someone else" in response.content.decode()
    subject.refresh_from_db()
    assert subject.username == "first_editor"


def test_clearing_every_identifier_asks_for_confirmation_first(admin_client):
    user = UserFactory(username="only_name", primary_email=None, password="pw-only-name-1")
    response = post(admin_client, user, HX, username="")
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert "no way left to sign in" in body and "Save without any identifier" in body
    user.refresh_from_db()
    assert user.username == "only_name"
    confirmed = post(admin_client, user, HX, username="", confirm_lockout="on")
    assert confirmed.status_code == HTTPStatus.OK
    user.refresh_from_db()
    assert user.username is None


def test_clearing_identifiers_of_a_user_with_a_social_identity_needs_no_confirmation(
    admin_client, subject
):
    response = post(admin_client, subject, HX, username="", primary_email="", primary_phone="")
    assert response.status_code == HTTPStatus.OK
    subject.refresh_from_db()
    assert subject.username is None and subject.primary_email is None


def test_a_viewer_gets_403_and_nothing_changes(viewer_client, subject):
    assert (
        post(viewer_client, subject, username="viewer_was_here").status_code == HTTPStatus.FORBIDDEN
    )
    subject.refresh_from_db()
    assert subject.username == "ann_lee"


def test_only_a_superuser_may_change_a_staff_account(client, subject):
    from django.contrib.auth.models import Permission

    staff_admin = UserFactory(is_staff=True)
    staff_admin.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    other_staff = UserFactory(is_staff=True, username="colleague")
    client.force_login(staff_admin)
    response = post(client, other_staff, HX, username="renamed_colleague")
    assert response.status_code == HTTPStatus.FORBIDDEN
    other_staff.refresh_from_db()
    assert other_staff.username == "colleague"


def test_csrf_is_enforced(admin_user, subject):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert post(client, subject, username="forged").status_code == HTTPStatus.FORBIDDEN


def test_it_rejects_get(admin_client, subject):
    response = admin_client.get(f"/console/users/{subject.id}/identifiers")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
