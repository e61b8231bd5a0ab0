"""A user's Logs tab: their audit entries, newest first, and one entry's details."""

from http import HTTPStatus

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from audit import queries
from audit.forms import LogFilterForm
from audit.serializers import describe
from console.dialogs import is_fragment
from users.views.directory import get_user_or_404


@require_GET
@permission_required("users.view_user", raise_exception=True)
@vary_on_headers("HX-Request")
def user_logs(request, user_id):
    subject = get_user_or_404(user_id)
    form = LogFilterForm(request.GET)
    context = {
        "subject": subject,
        "form": form,
        "page": None,
        "list_url": reverse("users:logs", args=[subject.pk]),
        "show_user": False,
    }
    template = "audit/user_logs.html"
    if is_fragment(request, "log-table"):
        template += "#log-table"
    if not form.is_valid():
        return render(request, template, context, status=HTTPStatus.BAD_REQUEST)
    page = queries.keyset_page(
        form.log_filter(user_id=subject.pk),
        before=form.cleaned_data["before"],
        after=form.cleaned_data["after"],
    )
    context["page"] = page
    queries.for_display(page.logs)
    return render(request, template, context)


@require_GET
@permission_required("users.view_user", raise_exception=True)
def user_log_detail(request, user_id, log_id):
    subject = get_user_or_404(user_id)
    log = queries.get_log(log_id, user_id=subject.pk)
    if log is None:
        raise Http404("No such log entry")
    return render(request, "audit/log_detail.html", {**describe(log), "subject": subject})
