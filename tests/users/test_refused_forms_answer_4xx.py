"""Every refused console form answers 4xx with the form and its error as the body (htmx swaps it
in place): 400 invalid input, 409 a conflict (already in use) or a stale form, 403 a refused act.
Add user with a taken email used to answer 200."""

import threading
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client

from tests.factories import SuperuserFactory, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db
URL = "/console/users/new"
HTMX = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def test_a_taken_email_in_add_user_is_a_409_with_the_dialog_and_its_error(admin_client):
    UserFactory(primary_email="taken@example.com")
    response = admin_client.post(URL, {"primary_email": "TAKEN@example.com"}, headers=HTMX)
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="add-user"')
    assert "This email is already in use." in body
    assert User.objects.filter(primary_email__iexact="taken@example.com").count() == 1


def test_a_taken_email_without_javascript_is_a_409_page(admin_client):
    UserFactory(primary_email="taken@example.com")
    response = admin_client.post(URL, {"primary_email": "taken@example.com"})
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert "<html" in body and "This email is already in use." in body


@pytest.mark.parametrize(
    "data", [{}, {"primary_email": "not-an-email"}, {"username": "9lives"}, {"name": "x" * 200}]
)
def test_invalid_input_in_add_user_is_a_400_with_the_dialog(admin_client, data):
    response = admin_client.post(URL, data, headers=HTMX)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'id="add-user"' in response.content.decode()
    assert User.objects.count() == 1  # the admin


def test_a_viewer_submitting_add_user_is_a_403(viewer_client):
    response = viewer_client.post(URL, {"username": "nope"}, headers=HTMX)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not User.objects.filter(username="nope").exists()


def test_a_guarded_act_is_a_403_with_the_dialog(admin_client, admin_user):
    response = admin_client.post(f"/console/users/{admin_user.pk}/suspend", headers=HTMX)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "<dialog" in response.content.decode()


def test_a_refused_sign_in_is_a_400_with_the_form(client):
    response = client.post("/console/sign-in", {"username": "nobody", "password": "wrong"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "<form" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_duplicate_creates_all_answer_409_and_create_nothing():
    admin = SuperuserFactory()
    UserFactory(primary_email="dup@example.com")
    statuses, barrier = [], threading.Barrier(20)

    def create():
        try:
            client = Client(raise_request_exception=False)
            client.force_login(admin)
            barrier.wait()
            response = client.post(URL, {"primary_email": "dup@example.com"}, headers=HTMX)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [HTTPStatus.CONFLICT] * 20
    assert User.objects.filter(primary_email="dup@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_a_new_email_make_one_user_and_the_rest_409():
    admin = SuperuserFactory()
    statuses, barrier = [], threading.Barrier(8)

    def create():
        try:
            client = Client(raise_request_exception=False)
            client.force_login(admin)
            barrier.wait()
            response = client.post(URL, {"primary_email": "race@example.com"}, headers=HTMX)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [HTTPStatus.OK] + [HTTPStatus.CONFLICT] * 7
    assert User.objects.filter(primary_email="race@example.com").count() == 1
