"""The console side of bulk actions: the table's checkboxes and bulk bar, the preview dialog (how
many, a sample), the typed count for deletes and big selections, who may start what."""

from http import HTTPStatus

import pytest

from tests.access.factories import RoleFactory
from tests.factories import EditorFactory, UserFactory
from tests.users.bulk_jobs import run
from users.bulk_forms import TYPED_COUNT_ABOVE
from users.models import BulkJob, User

pytestmark = pytest.mark.django_db
URL = "/console/users/bulk"


def test_the_user_table_has_a_checkbox_per_row_and_the_bulk_bar(admin_client):
    user = UserFactory(name="Zed Checkbox")
    body = admin_client.get("/console/users").content.decode()
    assert f'name="ids" value="{user.pk}" form="bulk-form"' in body
    assert 'id="bulk-form"' in body and "Select all" in body
    assert 'value="delete"' in body


def test_the_table_fragment_carries_the_bar_too(admin_client, htmx):
    UserFactory()
    body = admin_client.get("/console/users?search=user", headers=htmx).content.decode()
    assert 'id="bulk-form"' in body and "<html" not in body
    assert 'name="query" value="?search=user"' in body


def test_a_viewer_gets_neither_checkboxes_nor_the_bar(viewer_client):
    UserFactory()
    body = viewer_client.get("/console/users").content.decode()
    assert 'name="ids"' not in body and "bulk-form" not in body


def test_the_preview_counts_the_ticked_users_and_shows_their_names(admin_client, htmx_dialog):
    users = [UserFactory(name=f"Picked {i}") for i in range(3)]
    UserFactory(name="Not picked")
    response = admin_client.get(
        URL, {"action": "suspend", "ids": [u.pk for u in users]}, headers=htmx_dialog
    )
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Suspend 3 users" in body and "Picked 0" in body and "Not picked" not in body
    assert "<html" not in body and "Type 3" not in body
    assert not BulkJob.objects.exists()


def test_the_preview_of_all_matching_counts_the_search_and_samples_ten(admin_client):
    for i in range(12):
        UserFactory(name=f"Match {i}", username=f"match_{i}")
    UserFactory(name="Other", username="someone")
    response = admin_client.get(URL, {"action": "suspend", "all": "on", "query": "?search=match"})
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "<html" in body  # a page without htmx
    assert "Suspend 12 users" in body and "The first 10" in body
    assert body.count("<li>") == 10


def test_starting_a_job_queues_it_over_exactly_the_selection(admin_client, htmx_dialog):
    users = UserFactory.create_batch(2)
    response = admin_client.post(
        URL, {"action": "suspend", "ids": [u.pk for u in users]}, headers=htmx_dialog
    )
    job = BulkJob.objects.get()
    assert response.status_code == HTTPStatus.OK
    assert response["HX-Redirect"] == f"/console/jobs/{job.pk}"
    assert (job.state, job.total, job.selection) == ("queued", 2, {"ids": [u.pk for u in users]})
    assert set(job.items.values_list("user_id", flat=True)) == {u.pk for u in users}


def test_all_matching_is_frozen_by_the_jobs_first_step(admin_client):
    matching = [UserFactory(username=f"frozen_{i}") for i in range(3)]
    UserFactory(username="elsewhere")
    admin_client.post(URL, {"action": "expire_password", "all": "on", "query": "search=frozen"})
    job = BulkJob.objects.get()
    assert job.selection == {"query": "search=frozen", "confirmed": 3, "frozen": False}
    assert not job.items.exists()
    job = run(job)
    assert job.selection["frozen"] is True and job.total == 3
    assert set(job.items.values_list("user_id", flat=True)) == {u.pk for u in matching}


def test_a_delete_asks_to_type_the_count_and_refuses_a_wrong_one(admin_client, htmx_dialog):
    users = UserFactory.create_batch(2)
    data = {"action": "delete", "ids": [u.pk for u in users]}
    preview = admin_client.get(URL, data, headers=htmx_dialog).content.decode()
    assert "Type 2 to confirm" in preview
    response = admin_client.post(URL, {**data, "confirmation": "3"}, headers=htmx_dialog)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Type 2 exactly" in response.content.decode()
    assert not BulkJob.objects.exists() and User.objects.filter(pk=users[0].pk).exists()
    response = admin_client.post(URL, {**data, "confirmation": "2"}, headers=htmx_dialog)
    assert response.status_code == HTTPStatus.OK and BulkJob.objects.get().action == "delete"


def test_more_than_a_hundred_users_needs_the_typed_count_for_any_action(admin_client):
    User.objects.bulk_create(
        [User(username=f"many_{i}", primary_email=f"many{i}@example.com") for i in range(100)]
    )
    count = User.objects.count()  # and the admin: 101
    assert count == TYPED_COUNT_ABOVE + 1
    data = {"action": "reactivate", "all": "on", "query": ""}
    assert "Type 101 to confirm" in admin_client.get(URL, data).content.decode()
    assert admin_client.post(URL, data).status_code == HTTPStatus.BAD_REQUEST
    assert admin_client.post(URL, {**data, "confirmation": "100"}).status_code == 400
    typed = {**data, "confirmation": "101"}
    assert admin_client.post(URL, typed).status_code == HTTPStatus.FOUND
    assert run(BulkJob.objects.get()).total == 101


def test_a_role_action_needs_a_role_when_it_starts(admin_client, htmx_dialog):
    role = RoleFactory(name="Support")
    user = UserFactory()
    data = {"action": "assign_role", "ids": [user.pk]}
    preview = admin_client.get(URL, data, headers=htmx_dialog)
    assert preview.status_code == HTTPStatus.OK and "Support" in preview.content.decode()
    assert admin_client.post(URL, data, headers=htmx_dialog).status_code == 400
    admin_client.post(URL, {**data, "role": role.pk}, headers=htmx_dialog)
    assert BulkJob.objects.get().parameters == {"role": role.pk}


@pytest.mark.parametrize(
    "data",
    [
        {"action": "suspend"},
        {"action": "explode", "ids": ["abc"]},
        {"action": "suspend", "ids": ["NOT AN ID"]},
        {"action": "suspend", "all": "on", "query": "search=" + "x" * 300},
    ],
    ids=["nothing-selected", "unknown-action", "bad-id", "bad-filters"],
)
def test_nonsense_is_a_400_and_starts_nothing(admin_client, htmx_dialog, data):
    response = admin_client.get(URL, data, headers=htmx_dialog)
    assert response.status_code == 400 and "Bulk action" in response.content.decode()
    assert admin_client.post(URL, data, headers=htmx_dialog).status_code == 400
    assert not BulkJob.objects.exists()


def test_a_viewer_may_not_preview_or_start_a_bulk_action(viewer_client):
    user = UserFactory()
    data = {"action": "suspend", "ids": [user.pk]}
    assert viewer_client.get(URL, data).status_code == HTTPStatus.FORBIDDEN
    assert viewer_client.post(URL, data).status_code == HTTPStatus.FORBIDDEN
    assert not BulkJob.objects.exists()


def test_deleting_in_bulk_needs_the_delete_permission(client):
    editor = EditorFactory()
    editor.user_permissions.clear()
    editor.groups.first().permissions.remove(
        *editor.groups.first().permissions.filter(codename="delete_user")
    )
    client.force_login(User.objects.get(pk=editor.pk))
    user = UserFactory()
    data = {"action": "delete", "ids": [user.pk], "confirmation": "1"}
    assert client.post(URL, data).status_code == HTTPStatus.FORBIDDEN
    suspend = client.post(URL, {"action": "suspend", "ids": [user.pk]})
    assert suspend.status_code == HTTPStatus.FOUND
