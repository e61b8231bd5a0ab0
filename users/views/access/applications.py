"""The Applications pages: machine-to-machine apps, their one-time secret and roles."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from console.dialogs import CONFIRM, Dialog, reload, render_dialog, render_page
from users.access import search as access_search
from users.access.applications import (
    assign_application_roles,
    create_application,
    delete_application,
    remove_application_role,
    rotate_application_secret,
    update_application,
)
from users.access.forms import ApplicationForm, AssignRolesForm
from users.errors import ServiceError
from users.models import Application, ApplicationRole, Role, User
from users.views.access._common import (
    READ,
    CreateDialog,
    DeleteDialog,
    EditDialog,
    RoleRemoveDialog,
    _count_text,
    _origin,
    _valid_roles,
)
from users.views.refusals import refuse

# --- Applications ----------------------------------------------------------------------------


SECRET_TEMPLATE = "access/application_secret.html"


@sensitive_variables("secret", "context")
def _show_secret(request, app, secret, *, heading):
    """The one response that shows a client secret (the view is never_cache; the dialog is
    hx-history="false" and console.js removes it when it closes)."""
    context = {"application": app, "secret": secret, "heading": heading}
    return render_page(request, SECRET_TEMPLATE, "application-secret", context)


def _users(application) -> str:
    """How many users came from `application` ("1,000+ users")."""
    users = access_search.count_capped(User.objects.filter(application=application))
    return _count_text(users, "user", "users")


@require_GET
@permission_required(READ, raise_exception=True)
def application_detail(request, application_id):
    application = get_object_or_404(Application, pk=application_id)
    context = {"application": application, "users": _users(application)}
    if application.is_machine_to_machine:
        context["roles"] = list(application.roles.order_by("name", "id"))
    return render(request, "access/application_detail.html", context)


class ApplicationPage:
    """What the Applications dialogs share (users/views/access/_common.py)."""

    model = Application
    pk_url_kwarg = "application_id"
    form_class = ApplicationForm
    noun = "application"
    list_url = "access:applications"
    detail_url = "access:application-detail"


@method_decorator(never_cache, name="dispatch")
class ApplicationNew(ApplicationPage, CreateDialog):
    """Create an application; a machine-to-machine one's client secret is shown this once."""

    def save(self, form):
        return create_application(origin=self.origin, **form.cleaned_data)

    def done(self, app):
        if not app.has_secret:
            return super().done(app)
        messages.success(self.request, self.message(app, "created"))
        return _show_secret(self.request, app, app.new_client_secret, heading="Application created")


class ApplicationEdit(ApplicationPage, EditDialog):
    @property
    def intro(self):
        return f"{self.object.get_type_display()} application (the type is fixed)."

    def get_form(self, data):
        return ApplicationForm(data, application=self.object)

    def save(self, form):
        return update_application(self.object, origin=self.origin, **form.cleaned_data)


class ApplicationDelete(ApplicationPage, DeleteDialog):
    def text(self):
        return (
            f"{super().text()} Nobody can sign in through it any more, and the tokens issued to "
            "it stop working."
        )

    def consequences(self):
        return (
            f"{_users(self.object)} came from it: they keep their accounts, "
            "and their “From application” becomes empty.",
            "Its access and refresh tokens are deleted with it (cascade).",
        )

    def act(self):
        delete_application(self.object, origin=self.origin)


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


class ApplicationRoleRemove(RoleRemoveDialog):
    permission = "users.change_application"

    def load(self):
        self.application = _m2m_application_or_404(self.kwargs["application_id"])
        self.role = get_object_or_404(
            Role, pk=self.kwargs["role_id"], application_assignments__application=self.application
        )

    def text(self):
        return (
            f"Remove the role “{self.role.name}” from “{self.application.name}”? It loses the "
            "permissions the role grants at once, and its current access tokens stop working."
        )

    def back(self):
        return reverse("access:application-detail", args=[self.application.pk])

    def act(self):
        remove_application_role(self.application, self.role, origin=self.origin)
