"""The Applications pages: machine-to-machine apps, their one-time secret and roles."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from console.dialogs import (
    CONFIRM,
    FORM,
    Dialog,
    go,
    posted,
    reload,
    render_dialog,
    render_page,
    submitted,
)
from users.access import search as access_search
from users.access.applications import (
    assign_application_roles,
    create_application,
    delete_application,
    remove_application_role,
    rotate_application_secret,
    update_application,
)
from users.access.forms import (
    ApplicationForm,
    AssignRolesForm,
)
from users.errors import ServiceError
from users.models import (
    Application,
    ApplicationRole,
    Role,
    User,
)
from users.views.access import lists
from users.views.access._common import (
    READ,
    _confirm_dialog,
    _count_text,
    _form_dialog,
    _origin,
    _valid_roles,
)
from users.views.access.lists import show_list
from users.views.refusals import refuse

# --- Applications ----------------------------------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def application_list(request):
    return show_list(request, lists.APPLICATIONS, access_search.search_applications)


SECRET_TEMPLATE = "access/application_secret.html"


@sensitive_variables("secret", "context")
def _show_secret(request, app, secret, *, heading):
    """The one response that shows a client secret (the view is never_cache; the dialog is
    hx-history="false" and console.js removes it when it closes)."""
    context = {"application": app, "secret": secret, "heading": heading}
    return render_page(request, SECRET_TEMPLATE, "application-secret", context)


def _created(request, app):
    if app.has_secret:
        messages.success(request, f"Application “{app.name}” created.")
        return _show_secret(request, app, app.new_client_secret, heading="Application created")
    return go(
        request,
        f"Application “{app.name}” created.",
        reverse("access:application-detail", args=[app.pk]),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required("users.add_application", raise_exception=True)
@vary_on_headers("HX-Request")
def application_new(request):
    """Create an application; a machine-to-machine one's client secret is shown this once."""
    form = ApplicationForm(posted(request))
    dialog = Dialog(
        FORM,
        title="Create application",
        url=reverse("access:application-new"),
        submit="Create application",
        cancel=reverse("access:applications"),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        app = create_application(origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return _created(request, app)


@require_GET
@permission_required(READ, raise_exception=True)
def application_detail(request, application_id):
    application = get_object_or_404(Application, pk=application_id)
    users = access_search.count_capped(User.objects.filter(application=application))
    context = {"application": application, "users": _count_text(users, "user", "users")}
    if application.is_machine_to_machine:
        context["roles"] = list(application.roles.order_by("name", "id"))
    return render(request, "access/application_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("users.change_application", raise_exception=True)
@vary_on_headers("HX-Request")
def application_edit(request, application_id):
    application = get_object_or_404(Application, pk=application_id)
    form = ApplicationForm(posted(request), application=application)
    dialog = Dialog(
        FORM,
        title="Edit application",
        intro=f"{application.get_type_display()} application (the type is fixed).",
        url=reverse("access:application-edit", args=[application.pk]),
        submit="Save",
        cancel=reverse("access:application-detail", args=[application.pk]),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        app = update_application(application, origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return reload(
        request,
        f"Application “{app.name}” saved.",
        reverse("access:application-detail", args=[app.pk]),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_application", raise_exception=True)
@vary_on_headers("HX-Request")
def application_delete(request, application_id):
    application = get_object_or_404(Application, pk=application_id)
    users = access_search.count_capped(User.objects.filter(application=application))
    confirm = Dialog(
        CONFIRM,
        danger=True,
        title="Delete application",
        text=f"Delete the application “{application.name}”? Nobody can sign in through "
        "it any more, and the tokens issued to it stop working.",
        consequences=(
            f"{_count_text(users, 'user', 'users')} came from it: they keep their accounts, "
            "and their “From application” becomes empty.",
            "Its access and refresh tokens are deleted with it (cascade).",
        ),
        url=reverse("access:application-delete", args=[application.pk]),
        submit="Delete application",
        cancel=reverse("access:application-detail", args=[application.pk]),
    )
    if request.method != "POST" or confirm.blocked:
        return _confirm_dialog(request, confirm)
    try:
        delete_application(application, origin=_origin(request))
    except ServiceError as error:
        return _confirm_dialog(request, confirm, error=error)
    return go(request, f"Application “{application.name}” deleted.", reverse("access:applications"))


def _m2m_application_or_404(application_id) -> Application:
    return get_object_or_404(
        Application, pk=application_id, type=Application.Type.MACHINE_TO_MACHINE
    )


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required("users.change_application", raise_exception=True)
@vary_on_headers("HX-Request")
def application_rotate_secret(request, application_id):
    """Confirm, then give the application a new client secret, shown this once."""
    application = get_object_or_404(
        Application, pk=application_id, client_type=Application.CLIENT_CONFIDENTIAL
    )
    detail = reverse("access:application-detail", args=[application.pk])
    if request.method == "POST":
        secret = rotate_application_secret(application, origin=_origin(request))
        return _show_secret(request, application, secret, heading="New client secret")
    dialog = Dialog(
        CONFIRM,
        danger=True,
        title="Rotate client secret",
        text=f"Give “{application.name}” a new client secret? The current one stops working "
        "at once, and so does every access token issued with it.",
        consequences=("The new secret is shown once: copy it into the program that uses it.",),
        url=reverse("access:application-rotate-secret", args=[application.pk]),
        submit="Rotate secret",
        cancel=detail,
    )
    return render_dialog(request, dialog)


def _assignable_application_roles(application, limit=200):
    """Machine-to-machine roles the application does not hold (they are few; `limit` caps)."""
    held = ApplicationRole.objects.filter(application=application).values("role_id")
    rows = list(
        Role.objects.filter(type=Role.Type.MACHINE_TO_MACHINE)
        .exclude(pk__in=held)
        .order_by("name", "id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


@require_http_methods(["GET", "POST"])
@permission_required("users.change_application", raise_exception=True)
@vary_on_headers("HX-Request")
def application_roles_assign(request, application_id):
    """Assign machine-to-machine roles to a machine-to-machine application."""
    application = _m2m_application_or_404(application_id)
    detail = reverse("access:application-detail", args=[application.pk])
    status, selected = HTTPStatus.OK, set()
    if request.method == "POST":
        form = AssignRolesForm(request.POST)
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            roles = form.cleaned_data["roles"]
            try:
                added = assign_application_roles(application, roles, origin=_origin(request))
            except (ValidationError, ServiceError) as refusal:
                status = refuse(form, refusal)
            else:
                message = (
                    f"Assigned {len(added)} role{'' if len(added) == 1 else 's'}."
                    if added
                    else "The application already had these roles."
                )
                return reload(request, message, detail)
        selected = {r.pk for r in _valid_roles(request.POST.getlist("roles"))}
    else:
        form = AssignRolesForm()
    roles, more = _assignable_application_roles(application)
    context = {
        "application": application,
        "form": form,
        "roles": roles,
        "more": more,
        "selected": selected,
    }
    return render_page(
        request, "access/application_roles_assign.html", "assign-roles", context, status=status
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.change_application", raise_exception=True)
@vary_on_headers("HX-Request")
def application_role_remove(request, application_id, role_id):
    application = _m2m_application_or_404(application_id)
    role = get_object_or_404(Role, pk=role_id, application_assignments__application=application)
    detail = reverse("access:application-detail", args=[application.pk])
    confirm = Dialog(
        CONFIRM,
        danger=True,
        title="Remove role",
        text=f"Remove the role “{role.name}” from “{application.name}”? It loses the "
        "permissions the role grants at once, and its current access tokens stop working.",
        url=reverse("access:application-role-remove", args=[application.pk, role.pk]),
        submit="Remove",
        cancel=detail,
    )
    if request.method != "POST" or confirm.blocked:
        return _confirm_dialog(request, confirm)
    try:
        remove_application_role(application, role, origin=_origin(request))
    except ServiceError as error:
        return _confirm_dialog(request, confirm, error=error)
    return reload(request, f"Role “{role.name}” removed.", detail)
