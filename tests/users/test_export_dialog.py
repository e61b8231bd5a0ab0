"""The Export button opens a dialog (format, columns) that carries the table's query string."""

from http import HTTPStatus

import pytest

from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db


def test_the_user_table_has_an_export_button_for_admins(admin_client):
    body = admin_client.get("/console/users?search=ann").content.decode()
    assert 'href="/console/users/export?search=ann"' in body
    assert 'href="/console/users/import"' in body


def test_a_viewer_sees_no_export_or_import_button(viewer_client):
    body = viewer_client.get("/console/users").content.decode()
    assert "/console/users/export" not in body and "/console/users/import" not in body


def test_the_dialog_is_a_page_without_javascript_and_posts_the_query_back(admin_client):
    response = admin_client.get("/console/users/export?search=ann")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<html" in body and 'action="/console/users/export?search=ann"' in body
    assert 'name="format"' in body and 'name="columns"' in body


def test_htmx_gets_the_dialog_alone_with_the_url_the_table_is_showing(admin_client, htmx_dialog):
    headers = {**htmx_dialog, "HX-Current-URL": "http://testserver/console/users?search=bob"}
    response = admin_client.get("/console/users/export", headers=headers)
    body = response.content.decode()
    assert "<html" not in body and "<dialog" in body
    assert 'action="/console/users/export?search=bob"' in body
    # The answer is a file: the form is a plain POST, not swapped in by htmx.
    assert "hx-post" not in body and "hx-disable" in body


def test_only_a_superuser_is_offered_password_hashes(admin_client, client):
    assert 'name="include_passwords"' in admin_client.get("/console/users/export").content.decode()
    client.force_login(EditorFactory())
    body = client.get("/console/users/export").content.decode()
    assert 'name="include_passwords"' not in body
