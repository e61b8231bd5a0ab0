"""Export the table's selection (a dialog whose answer is a streamed file) and import a file (a page:
check, then import). See users/transfer.py and docs/transfer.md."""

from http import HTTPStatus
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpResponseForbidden, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import FORM, Dialog, render_dialog
from users import import_jobs, transfer
from users.filters import matching_users
from users.models import ImportJob
from users.views.jobs import render_job

EXPORT_PERMISSION = "users.change_user"
IMPORT_PERMISSIONS = ("users.add_user", "users.change_user")


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=list(transfer.FORMATS.items()), initial=transfer.CSV, widget=forms.RadioSelect
    )
    columns = forms.MultipleChoiceField(
        choices=list(transfer.COLUMNS.items()),
        initial=list(transfer.DEFAULT_COLUMNS),
        widget=forms.CheckboxSelectMultiple,
    )
    include_passwords = forms.BooleanField(
        required=False,
        label="Include password hashes (superusers only; recorded in the audit log)",
    )

    def __init__(self, *args, superuser: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not superuser:
            del self.fields["include_passwords"]


def _table_query(request) -> str:
    """The query string of the table the dialog was opened on: htmx says which URL it is showing
    (the table pushes its search into the URL); without JavaScript the link carried it."""
    if request.method == "GET" and request.htmx and request.htmx.current_url:
        return urlsplit(request.htmx.current_url).query
    return request.GET.urlencode()


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(EXPORT_PERMISSION, raise_exception=True)
@vary_on_headers("HX-Request")
def user_export(request):
    query = _table_query(request)
    params = QueryDict(query)
    url = reverse("users:export") + (f"?{query}" if query else "")
    selection = matching_users(params)
    dialog = Dialog(
        FORM,
        title="Export users",
        intro="The users the table shows now, with its search and filters, in id order.",
        url=url,
        cancel=reverse("users:list") + (f"?{query}" if query else ""),
        submit="Download",
        download=True,
    )
    superuser = request.user.is_superuser
    if request.method == "GET":
        form = ExportForm(superuser=superuser)
        return render_dialog(request, dialog, form=form)
    if request.POST.get("include_passwords") and not superuser:
        return HttpResponseForbidden("Only a superuser may export password hashes.")
    form = ExportForm(request.POST, superuser=superuser)
    if not form.is_valid():
        return render_dialog(request, dialog, form=form, status=HTTPStatus.BAD_REQUEST)
    fmt = form.cleaned_data["format"]
    columns = transfer.export_columns(
        form.cleaned_data["columns"],
        include_passwords=form.cleaned_data.get("include_passwords", False),
    )
    transfer.record_export(
        selection,
        origin=Origin.from_request(request),
        fmt=fmt,
        columns=columns,
        filters=transfer.filters_of(params),
    )
    response = StreamingHttpResponse(
        transfer.export_lines(selection, columns, fmt), content_type=transfer.CONTENT_TYPES[fmt]
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="users-{stamp}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _too_large() -> str:
    return (
        f"The file is larger than {settings.IMPORT_MAX_UPLOAD_BYTES:,} bytes: import it with "
        "`manage.py import_users FILE`."
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="CSV (.csv) or JSON Lines (.jsonl); UTF-8. The format follows the extension.",
    )
    on_existing = forms.ChoiceField(
        label="Users already here (same id, username, email or phone)",
        choices=[
            (transfer.SKIP, "Skip them"),
            (transfer.UPDATE, "Update their profile, add their roles and organizations"),
        ],
        initial=transfer.SKIP,
        widget=forms.RadioSelect,
    )
    skip_bad_rows = forms.BooleanField(
        required=False, label="Skip bad rows (otherwise nothing is imported if any row fails)"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_too_large(), code="too_large")
        if transfer.detect_format(upload.name) is None:
            raise forms.ValidationError("Choose a .csv or .jsonl file.", code="format")
        return upload


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def user_import(request):
    context = {
        "max_rows": settings.IMPORT_MAX_CONSOLE_ROWS,
        "columns": sorted(transfer.IMPORT_COLUMNS),
    }
    if request.method == "GET":
        return render(request, "users/transfer/import.html", {**context, "form": ImportForm()})
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > settings.IMPORT_MAX_UPLOAD_BYTES + 64 * 1024:
        # Refused before the body is read: the form's own check needs the whole upload.
        form = ImportForm()
        form.errors["file"] = form.error_class([_too_large()])
        context["form"] = form
        return render(
            request,
            "users/transfer/import.html",
            context,
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        )
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        status = (
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            if any(e.code == "too_large" for e in form.errors.as_data().get("file", []))
            else HTTPStatus.BAD_REQUEST
        )
        return render(request, "users/transfer/import.html", context, status=status)
    upload = form.cleaned_data["file"]
    fmt = transfer.detect_format(upload.name)
    if request.POST.get("action") == "import":
        # The run is a background job: the file is kept in the job's row until it ends.
        with transaction.atomic():
            job = import_jobs.create_import_job(
                content=upload.read(),
                file_name=upload.name,
                fmt=fmt,
                on_existing=form.cleaned_data["on_existing"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                origin=Origin.from_request(request),
            )
        return redirect("users:import-job", job_id=job.pk)
    try:
        report = transfer.check_import(
            transfer.bytes_opener(upload.read()),
            fmt,
            max_rows=settings.IMPORT_MAX_CONSOLE_ROWS,
            on_existing=form.cleaned_data["on_existing"],
        )
    except transfer.TooManyRows as error:
        form.add_error("file", str(error))
        return render(
            request,
            "users/transfer/import.html",
            context,
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        )
    except transfer.FileError as error:
        form.add_error("file", str(error))
        return render(request, "users/transfer/import.html", context, status=HTTPStatus.BAD_REQUEST)
    context.update(report=report, filename=upload.name, fmt=fmt)
    # A file with bad rows is refused (400).
    status = HTTPStatus.OK if report.ok else HTTPStatus.BAD_REQUEST
    return render(request, "users/transfer/import.html", context, status=status)


IMPORT_JOB_PAGE = "users/transfer/import_job.html"


def _import_job_url(job) -> str:
    return reverse("users:import-job", args=[job.pk])


def _import_job_context(request, job):
    return {
        "job": job,
        "can_cancel": job.can_be_cancelled and request.user.has_perms(IMPORT_PERMISSIONS),
    }


@require_GET
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
@vary_on_headers("HX-Request")
def import_job(request, job_id):
    job = get_object_or_404(ImportJob.objects.defer("upload"), pk=job_id)
    context = _import_job_context(request, job)
    return render_job(request, IMPORT_JOB_PAGE, "import-progress", context, _import_job_url(job))


@require_POST
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def import_job_cancel(request, job_id):
    job = import_jobs.cancel_import_job(
        get_object_or_404(ImportJob.objects.defer("upload"), pk=job_id)
    )
    context = _import_job_context(request, job)
    return render_job(request, IMPORT_JOB_PAGE, "import-progress", context, _import_job_url(job))
