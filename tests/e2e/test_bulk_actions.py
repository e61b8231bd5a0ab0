"""Bulk suspend in the browser: tick two rows, preview, start the job; the job page polls its
progress until a worker (run here in the test's process) finishes it, then stops polling."""

import re

from playwright.sync_api import expect

from tests.factories import UserFactory
from users import bulk
from users.models import BulkJob, User

MODAL = "#dialog-slot dialog#action-dialog:modal"


def test_ticking_rows_previewing_and_following_a_bulk_suspend(
    signed_in_page, live_server, console_errors
):
    page = signed_in_page
    picked = [UserFactory(name=f"Bulk Pick {i}") for i in range(2)]
    UserFactory(name="Bulk Left Alone")
    page.goto(f"{live_server.url}/console/users?search=bulk")
    for user in picked:
        page.get_by_label(f"Select {user.name}").check()
    page.locator("#bulk-action").select_option("suspend")
    page.get_by_role("button", name="Continue…").click()

    dialog = page.locator(MODAL)
    expect(dialog.get_by_role("heading", name="Suspend 2 users")).to_be_visible()
    expect(dialog).to_contain_text("Bulk Pick 0")
    expect(dialog).not_to_contain_text("Bulk Left Alone")
    dialog.get_by_role("button", name="Suspend 2 users").click()

    page.wait_for_url(re.compile(r".*/console/jobs/[0-9a-z]+$"))
    expect(page.locator("#job-progress")).to_contain_text("Queued")
    job = BulkJob.objects.get()
    bulk.run_job(job.pk)  # what the worker does
    expect(page.locator("#job-progress")).to_contain_text("2 of 2", timeout=5000)
    expect(page.locator("#job-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    assert User.objects.filter(pk__in=[u.pk for u in picked], is_suspended=True).count() == 2
    assert not User.objects.get(name="Bulk Left Alone").is_suspended
    assert [e for e in console_errors if "Content Security Policy" in e] == []
