"""Bulk actions from the user table, and the background jobs that run them (users/bulk.py).

`bulk_action` is the preview and confirmation dialog (GET: how many, a sample of names; POST:
start the job, after the typed count for deletes and big selections); `job_detail` is the job's
page, whose progress fragment htmx polls every second while the job runs.
"""

from dataclasses import replace
from http import HTTPStatus

from django.contrib.auth.decorators import permission_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import ACTION, Dialog, go, is_fragment, render_dialog
from users import bulk
from users.bulk_forms import TYPED_COUNT_ABOVE, BulkActionForm, needs_typed_count
from users.models import BulkJob, BulkJobItem, User

CHANGE = "users.change_user"
DELETE = "users.delete_user"
SAMPLE_SIZE = 10
REPORT_ROWS = 200
JOBS_SHOWN = 50
Action = BulkJob.Action
VERBS = {
    Action.SUSPEND: "Suspend",
    Action.REACTIVATE: "Reactivate",
    Action.ASSIGN_ROLE: "Assign a role to",
    Action.REMOVE_ROLE: "Remove a role from",
    Action.ADD_ORGANIZATION: "Add to an organization",
    Action.REMOVE_ORGANIZATION: "Remove from an organization",
    Action.EXPIRE_PASSWORD: "Expire the password of",
    Action.DELETE: "Delete",
}
DANGER = {Action.SUSPEND, Action.DELETE, Action.REMOVE_ROLE, Action.REMOVE_ORGANIZATION}


def _permission_for(action: str) -> str:
    return DELETE if action == Action.DELETE else CHANGE


def _users_label(count: int) -> str:
    return f"{intcomma(count)} user{'' if count == 1 else 's'}"


def _dialog(action, count=None, query=""):
    """The bulk dialog; without a count (the form did not parse) a plain "Bulk action"."""
    verb = VERBS.get(action)
    back = reverse("users:list") + (f"?{query}" if query else "")
    label = f"{verb} {_users_label(count)}" if verb and count is not None else "Bulk action"
    return Dialog(
        ACTION,
        title=label,
        text="It runs in the background in batches; you can follow it and cancel it on its page.",
        url=reverse("jobs:bulk"),
        cancel=back,
        submit=label if verb and count is not None else "Continue",
        danger=action in DANGER,
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def bulk_action(request):
    final = request.method == "POST"
    form = BulkActionForm(request.POST if final else request.GET, final=final)
    if not form.is_valid():
        dialog = _dialog(form.data.get("action", ""))
        return render_dialog(request, dialog, form=form, status=HTTPStatus.BAD_REQUEST)
    action = form.cleaned_data["action"]
    if not request.user.has_perm(_permission_for(action)):
        raise PermissionDenied
    users = form.users()
    all_matching = form.cleaned_data["all"]
    count = _confirmed_count(form, users) if final and all_matching else users.count()
    typed = needs_typed_count(action, count)
    if typed:
        form["confirmation"].label = f"Type {count} to confirm"
    else:
        del form.fields["confirmation"]
    error = ""
    if final and count and (not typed or form.typed_count_matches(count)):
        with transaction.atomic():
            job = bulk.create_job(
                action=action,
                origin=Origin.from_request(request),
                selection=form.selection(),
                parameters=form.parameters(),
                users=None if all_matching else users,  # "all matching": the job freezes it
                confirmed=count,
            )
            if all_matching or not typed or job.total == count:
                message = f"Job started: {VERBS[action].lower()} {_users_label(count)}."
                return go(request, message, _url(job))
            # The ticked users changed between the count and the job: confirm the new count.
            transaction.set_rollback(True)
            form.add_error("confirmation", f"The selection changed: it is {job.total} users now.")
            status = HTTPStatus.CONFLICT
    elif final and not count:
        error, status = "No users match.", HTTPStatus.BAD_REQUEST
    elif final:
        form.add_error("confirmation", f"Type {count} exactly to confirm.")
        status = HTTPStatus.BAD_REQUEST
    else:
        status = HTTPStatus.OK
    if all_matching:
        form.data = form.data.copy()
        form.data["previewed"] = count  # the count the admin sees is the one they confirm
    sample = [_name(u) for u in users.order_by("pk")[:SAMPLE_SIZE]]
    dialog = _with_sample(_dialog(action, count, form.cleaned_data["query"]), sample, count)
    return render_dialog(request, dialog, form=form, error=error, count=count, status=status)


def _confirmed_count(form, users) -> int:
    """The count an "all matching" job starts with, found without counting every user (the job
    freezes and counts them): the exact count when it is 100 or fewer, else the count the
    preview showed (its dialog's hidden `previewed`), which the typed count must then equal.
    Counted in full only for a client that did not send it."""
    few = users[: TYPED_COUNT_ABOVE + 1].count()
    previewed = form.cleaned_data.get("previewed")
    if few <= TYPED_COUNT_ABOVE:
        return few
    if previewed is not None and previewed > TYPED_COUNT_ABOVE:
        return previewed
    return users.count()


def _with_sample(dialog, sample, count):
    intro = f"{_users_label(count)} selected."
    if count > len(sample) and sample:
        intro += f" The first {len(sample)}:"
    return replace(dialog, intro=intro, consequences=tuple(sample))


def _name(user: User) -> str:
    label = user.display_identifier or user.pk
    return f"{user.name} · {label}" if user.name else label


def _url(job):
    return reverse("jobs:detail", args=[job.pk])


@require_GET
@permission_required("users.view_user", raise_exception=True)
@vary_on_headers("HX-Request")
def job_list(request):
    jobs = BulkJob.objects.order_by("-created_at", "id")[:JOBS_SHOWN]
    return render(request, "users/job_list.html", {"jobs": jobs, "verbs": VERBS})


def _job_context(request, job):
    report = (
        BulkJobItem.objects.filter(job=job)
        .exclude(outcome__in=[BulkJobItem.Outcome.DONE, BulkJobItem.Outcome.PENDING])
        .order_by("id")[:REPORT_ROWS]
    )
    report = list(report)
    names = User.objects.in_bulk([item.user_id for item in report])
    for item in report:
        user = names.get(item.user_id)
        item.label = _name(user) if user else item.user_id
        item.exists = user is not None
    pending = job.total - job.reported
    return {
        "job": job,
        "verb": VERBS.get(job.action, job.action),
        "report": report,
        "report_more": job.skipped + job.failed - len(report),
        "pending": pending,
        "difference_note": _difference_note(job),
        "can_cancel": job.can_be_cancelled and request.user.has_perm(_permission_for(job.action)),
    }


def _difference_note(job) -> str:
    """When users changed between the confirmation and the freeze: how the frozen set differs."""
    difference = job.confirmed_difference
    if not difference:
        return ""
    more_or_fewer = "more" if difference > 0 else "fewer"
    confirmed = job.selection["confirmed"]
    note = (
        f"{_users_label(job.total)} matched when the job started: {intcomma(abs(difference))} "
        f"{more_or_fewer} than the {intcomma(confirmed)} confirmed (users changed meanwhile)."
    )
    return note if job.state == BulkJob.State.FAILED else f"{note} The job acts on those."


def render_job(request, template, fragment, context, page_url):
    """A job's page, or its progress fragment alone: htmx's poll every second while the job
    runs, and the answer to Cancel (which without htmx goes back to the page, `page_url`)."""
    if is_fragment(request, fragment):
        return render(request, f"{template}#{fragment}", context)
    if request.method == "POST":
        return redirect(page_url)
    return render(request, template, context)


@require_GET
@permission_required("users.view_user", raise_exception=True)
@vary_on_headers("HX-Request")
def job_detail(request, job_id):
    job = get_object_or_404(BulkJob, pk=job_id)
    context = _job_context(request, job)
    return render_job(request, "users/job_detail.html", "job-progress", context, _url(job))


@require_POST
@permission_required(CHANGE, raise_exception=True)
def job_cancel(request, job_id):
    job = get_object_or_404(BulkJob, pk=job_id)
    if not request.user.has_perm(_permission_for(job.action)):
        raise PermissionDenied
    job = bulk.cancel_job(job)
    context = _job_context(request, job)
    return render_job(request, "users/job_detail.html", "job-progress", context, _url(job))
