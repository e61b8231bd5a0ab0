"""20 parallel PATCHes to one user: each answers 2xx (or 409/422), the row ends equal to one of
the writes, and the audit log holds exactly the successful ones, each by the app."""

import threading
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client

from audit.models import Log
from tests.factories import UserFactory

WRITERS = 20


@pytest.mark.django_db(transaction=True)
def test_parallel_patches_to_one_user_never_lose_or_invent_a_write(m2m_app, api_token):
    user = UserFactory(name="Start", custom_data={})
    results = {}
    barrier = threading.Barrier(WRITERS)

    def write(i):
        try:
            barrier.wait()
            response = Client().patch(
                f"/api/users/{user.pk}",
                f'{{"name": "Writer {i}", "customData": {{"writer": {i}}}}}',
                content_type="application/json",
                headers={"Authorization": f"Bearer {api_token}"},
            )
            results[i] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(results.values()) <= {HTTPStatus.OK, HTTPStatus.CONFLICT, 422}, results
    succeeded = {i for i, status in results.items() if status == HTTPStatus.OK}
    assert succeeded
    user.refresh_from_db()
    final = int(user.name.removeprefix("Writer "))
    assert final in succeeded and user.custom_data == {"writer": final}
    logs = Log.objects.filter(user=user, key="ManagementApi.User.Profile.Update")
    assert logs.count() == len(succeeded)
    assert set(logs.values_list("application_id", "actor_label", "actor_id")) == {
        (m2m_app.pk, m2m_app.name, None)
    }
    written = {log.payload["changes"]["name"]["new"] for log in logs}
    assert written == {f"Writer {i}" for i in succeeded}
