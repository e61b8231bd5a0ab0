"""The console-wide audit log and its entries' details.

Reading the audit log needs `users.view_user`, the permission every console admin (the "viewer"
included) holds: the log shows who did what to which user, which is what a viewer may look at.
"""

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


def log_page(request, template, *, list_url, user_id="", **context):
    """A filtered keyset page of the audit log: everyone's (`show_user`, the console-wide list)
    or one user's (`user_id`, their Logs tab). htmx asking for #log-table gets the table; filters
    that do not parse answer 400 with the form."""
    form = LogFilterForm(request.GET)
    context.update(form=form, page=None, list_url=list_url, show_user=not user_id)
    if is_fragment(request, "log-table"):
        template += "#log-table"
    if not form.is_valid():
        return render(request, template, context, status=HTTPStatus.BAD_REQUEST)
    page = queries.keyset_page(
        form.log_filter(user_id=user_id),
        before=form.cleaned_data["before"],
        after=form.cleaned_data["after"],
    )
    context["page"] = page
    queries.for_display(page.logs)
    return render(request, template, context)


@require_GET
@permission_required("users.view_user", raise_exception=True)
@vary_on_headers("HX-Request")
def log_list(request):
    return log_page(request, "audit/log_list.html", list_url=reverse("audit:list"))


@require_GET
@permission_required("users.view_user", raise_exception=True)
def log_detail(request, log_id):
    log = queries.get_log(log_id)
    if log is None:
        raise Http404("No such log entry")
    return render(request, "audit/log_detail.html", describe(log))
