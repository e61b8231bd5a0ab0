"""The Roles pages: list, detail, new, edit, delete."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from console.dialogs import CONFIRM, FORM, Dialog, go, posted, reload, submitted
from users.access import search as access_search
from users.access.forms import (
    RoleForm,
)
from users.access.roles import create_role, delete_role, update_role
from users.errors import ServiceError
from users.models import (
    Role,
)
from users.views.access import lists
from users.views.access._common import (
    READ,
    _confirm_dialog,
    _count_text,
    _form_dialog,
    _origin,
)
from users.views.access.lists import show_list

# --- Roles -----------------------------------------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def role_list(request):
    return show_list(request, lists.ROLES, access_search.search_roles)


@require_http_methods(["GET", "POST"])
@permission_required("users.add_role", raise_exception=True)
@vary_on_headers("HX-Request")
def role_new(request):
    form = RoleForm(posted(request))
    dialog = Dialog(
        FORM,
        title="Create role",
        url=reverse("access:role-new"),
        submit="Create role",
        cancel=reverse("access:roles"),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        role = create_role(origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return go(
        request, f"Role “{role.name}” created.", reverse("access:role-detail", args=[role.pk])
    )


@require_GET
@permission_required(READ, raise_exception=True)
def role_detail(request, role_id):
    role = get_object_or_404(Role, pk=role_id)
    context = {
        "role": role,
        "scope_groups": access_search.scopes_by_resource(role.scopes.all()),
        "users": _count_text(access_search.count_capped(role.assignments.all()), "user", "users"),
    }
    return render(request, "access/role_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("users.change_role", raise_exception=True)
@vary_on_headers("HX-Request")
def role_edit(request, role_id):
    role = get_object_or_404(Role, pk=role_id)
    form = RoleForm(posted(request), role=role)
    dialog = Dialog(
        FORM,
        title="Edit role",
        url=reverse("access:role-edit", args=[role.pk]),
        submit="Save",
        cancel=reverse("access:role-detail", args=[role.pk]),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        role = update_role(role, origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return reload(
        request, f"Role “{role.name}” saved.", reverse("access:role-detail", args=[role.pk])
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_role", raise_exception=True)
@vary_on_headers("HX-Request")
def role_delete(request, role_id):
    role = get_object_or_404(Role, pk=role_id)
    users = access_search.count_capped(role.assignments.all())
    consequences = []
    if role.type == Role.Type.USER:
        consequences.append(
            f"It is removed from {_count_text(users, 'user', 'users')} who have it (cascade): "
            "they lose its permissions unless another role grants them."
        )
    confirm = Dialog(
        CONFIRM,
        danger=True,
        title="Delete role",
        text=f"Delete the role “{role.name}”? This cannot be undone; the audit log keeps a record.",
        consequences=consequences,
        url=reverse("access:role-delete", args=[role.pk]),
        submit="Delete role",
        cancel=reverse("access:role-detail", args=[role.pk]),
    )
    if request.method != "POST" or confirm.blocked:
        return _confirm_dialog(request, confirm)
    try:
        delete_role(role, origin=_origin(request))
    except ServiceError as error:
        return _confirm_dialog(request, confirm, error=error)
    return go(request, f"Role “{role.name}” deleted.", reverse("access:roles"))
