"""Bulk actions on users and the background jobs that run them (users/views/jobs.py)."""

from django.urls import path

from users.views import jobs

app_name = "jobs"
urlpatterns = [
    path("users/bulk", jobs.bulk_action, name="bulk"),
    path("jobs", jobs.job_list, name="list"),
    path("jobs/<id:job_id>", jobs.job_detail, name="detail"),
    path("jobs/<id:job_id>/cancel", jobs.job_cancel, name="cancel"),
]
