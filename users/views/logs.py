"""A user's Logs tab: their audit entries, newest first, and one entry's details."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from audit import queries
from audit.serializers import describe
from audit.views import log_page
from users.views.directory import get_user_or_404


@require_GET
@permission_required("users.view_user", raise_exception=True)
@vary_on_headers("HX-Request")
def user_logs(request, user_id):
    subject = get_user_or_404(user_id)
    return log_page(
        request,
        "audit/user_logs.html",
        list_url=reverse("users:logs", args=[subject.pk]),
        user_id=subject.pk,
        subject=subject,
    )


@require_GET
@permission_required("users.view_user", raise_exception=True)
def user_log_detail(request, user_id, log_id):
    subject = get_user_or_404(user_id)
    log = queries.get_log(log_id, user_id=subject.pk)
    if log is None:
        raise Http404("No such log entry")
    return render(request, "audit/log_detail.html", {**describe(log), "subject": subject})
