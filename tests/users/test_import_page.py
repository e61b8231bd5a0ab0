"""The Import page: upload a file, check it (errors by line, 400 when a row fails), import it;
too many rows or too big a file are refused with a pointer to `manage.py import_users`."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import Log
from tests.factories import EditorFactory
from tests.security.probes import snapshot
from users import import_jobs
from users.models import ImportJob, User

pytestmark = pytest.mark.django_db

URL = "/console/users/import"


def upload(client, content, name="users.csv", action="check", **data):
    file = SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)
    return client.post(URL, {"file": file, "action": action, "on_existing": "skip", **data})


def test_the_page_offers_a_file_field_and_both_buttons(admin_client):
    body = admin_client.get(URL).content.decode()
    assert 'type="file"' in body and 'enctype="multipart/form-data"' in body
    assert 'value="check"' in body and 'value="import"' in body


def test_checking_a_good_file_says_what_would_happen_and_writes_nothing(admin_client):
    before = snapshot()
    response = upload(admin_client, "username\nann\nbob\n")
    assert response.status_code == HTTPStatus.OK
    assert "All 2 rows are valid" in response.content.decode()
    assert snapshot() == before


def test_checking_a_bad_file_answers_400_with_the_errors_by_line(admin_client):
    response = upload(admin_client, "username\nann\n1bad\nann\n")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert '<td data-label="Line">3</td>' in body and '<td data-label="Line">4</td>' in body
    assert "Same username as line 2." in body


def imported(client, content, name="users.csv", **data):
    """Press Import, then run the queued job here (as the worker would); returns the job page."""
    response = upload(client, content, name=name, action="import", **data)
    assert response.status_code == HTTPStatus.FOUND, response.status_code
    job = ImportJob.objects.get()
    import_jobs.run_import_job(job.pk)
    return client.get(response.url)


def test_importing_creates_the_users_and_shows_the_counts(admin_client, admin_user):
    response = imported(admin_client, "username,name\nann,Ann\nbob,Bob\n")
    assert response.status_code == HTTPStatus.OK
    assert "<dt>Created</dt><dd>2</dd>" in response.content.decode()
    assert User.objects.filter(username__in=["ann", "bob"]).count() == 2
    log = Log.objects.get(key="Console.User.Import")
    assert log.actor == admin_user and log.payload["source"] == "users.csv"


def test_importing_a_file_with_a_bad_row_writes_nothing_unless_told_to_skip(admin_client):
    users = User.objects.count()
    response = imported(admin_client, "username\nann\n1bad\n")
    assert "Some rows have errors: nothing imported." in response.content.decode()
    assert '<td data-label="Line">3</td>' in response.content.decode()
    assert User.objects.count() == users
    assert not Log.objects.filter(key="Console.User.Create").exists()
    ImportJob.objects.all().delete()
    imported(admin_client, "username\nann\n1bad\n", skip_bad_rows="on")
    assert User.objects.filter(username="ann").exists()


def test_json_lines_are_recognised_by_the_extension(admin_client):
    imported(admin_client, '{"username": "jl"}\n', name="u.jsonl")
    assert User.objects.filter(username="jl").exists()


def test_another_extension_is_refused(admin_client):
    assert upload(admin_client, "username\nann\n", name="u.xlsx").status_code == 400


def test_more_rows_than_the_console_checks_are_refused_with_413(admin_client, settings):
    settings.IMPORT_MAX_CONSOLE_ROWS = 3
    response = upload(admin_client, "username\na\nb\nc\nd\n", action="check")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "manage.py import_users" in response.content.decode()
    assert not User.objects.filter(username="a").exists()


def test_a_file_over_the_upload_limit_is_refused_with_413(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = upload(admin_client, "username\n" + "x\n" * 100)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


def test_a_file_that_is_not_utf8_gets_a_line_numbered_error(admin_client):
    response = upload(admin_client, b"username,name\nok,Ann\nbad,\xff\xfe\n")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Line 3 is not valid UTF-8" in response.content.decode()


def test_an_editor_may_import_a_viewer_may_not(client, viewer_client):
    assert viewer_client.get(URL).status_code == HTTPStatus.FORBIDDEN
    assert upload(viewer_client, "username\nann\n", action="import").status_code == 403
    client.force_login(EditorFactory())
    assert upload(client, "username\nann\n", action="import").status_code == HTTPStatus.FOUND
