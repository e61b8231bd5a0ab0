from http import HTTPStatus

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/console/users"
XSS = "<img src=x onerror=alert(1)>"


def test_it_shows_the_whole_page_with_the_table(admin_client):
    UserFactory(name="Ann Smith")
    response = admin_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<html" in body and 'id="user-table"' in body
    assert "Ann Smith" in body
    assert response["Vary"].startswith("HX-Request")


def test_htmx_gets_only_the_table_fragment_for_the_same_url(admin_client, htmx):
    UserFactory(name="Ann Smith")
    response = admin_client.get(URL, {"search": "ann"}, headers=htmx)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert body.lstrip().startswith('<section id="user-table"')
    assert "<html" not in body
    assert "<mark>Ann</mark> Smith" in body


def test_a_history_restore_gets_the_whole_page(admin_client):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = admin_client.get(URL, {"search": "ann"}, headers=headers)
    assert "<html" in response.content.decode()


def test_the_search_is_kept_in_the_form_and_links(admin_client):
    UserFactory.create_batch(25, name="Ann Smith")
    body = admin_client.get(URL, {"search": "ann", "page_size": 20}).content.decode()
    assert 'value="ann"' in body
    assert "?search=ann&amp;page_size=20&amp;page=2" in body


def test_the_total_counts_matches(admin_client, htmx):
    # A surname Faker never gives: the signed-in admin's random name could hold "Smith".
    UserFactory.create_batch(3, name="Ann Quibblesmith")
    UserFactory(name="Bob Stone")
    body = admin_client.get(URL, {"search": "quibblesmith"}, headers=htmx).content.decode()
    assert "3 users" in body


def test_names_and_identifiers_are_escaped(admin_client, htmx):
    UserFactory(name=XSS, username="x_user")
    for headers in ({}, htmx):
        body = admin_client.get(URL, headers=headers).content.decode()
        assert XSS not in body
        assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_a_search_term_cannot_inject_markup_through_highlighting(admin_client, htmx):
    UserFactory(name="<b>bold</b>")
    body = admin_client.get(URL, {"search": "<b>"}, headers=htmx).content.decode()
    assert "<b>" not in body
    assert "<mark>&lt;b&gt;</mark>bold" in body


def test_suspended_users_are_tagged(admin_client):
    UserFactory(name="Gone Person", is_suspended=True)
    assert "Suspended" in admin_client.get(URL).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": "1000"},
        {"page_size": "x"},
        {"page": "0"},
        {"page": "abc"},
        {"search": "a\x00b"},
        {"search": "x" * 201},
    ],
)
def test_nonsense_parameters_get_400_not_500(admin_client, params):
    response = admin_client.get(URL, params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="error"' in response.content.decode()


def test_a_viewer_admin_can_look_but_gets_no_add_button(viewer_client):
    body = viewer_client.get(URL).content.decode()
    assert "User management" in body
    assert "Add user" not in body


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/console/sign-in?next=/console/users")


def test_anonymous_htmx_requests_redirect_the_whole_window(client, htmx):
    response = client.get(URL, headers=htmx)
    assert response["HX-Redirect"].startswith("/console/sign-in")


def test_signed_in_non_staff_users_are_refused(client, end_user):
    client.force_login(end_user)
    assert client.get(URL).status_code == HTTPStatus.FORBIDDEN


def test_staff_without_view_permission_are_refused(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == HTTPStatus.FORBIDDEN


def test_it_rejects_post(admin_client):
    assert admin_client.post(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_root_redirects_to_the_user_table(admin_client):
    response = admin_client.get("/")
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == URL


def test_a_user_row_opens_the_user(admin_client):
    user = UserFactory(name="Ann Smith")
    assert f'href="/console/users/{user.id}"' in admin_client.get(URL).content.decode()
    detail = admin_client.get(f"/console/users/{user.id}")
    assert detail.status_code == HTTPStatus.OK and "Ann Smith" in detail.content.decode()
    assert admin_client.get("/console/users/nosuchuser00").status_code == HTTPStatus.NOT_FOUND
