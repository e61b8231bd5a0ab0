"""The API resources pages and their permissions (scopes)."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from console.dialogs import CONFIRM, FORM, Dialog, go, posted, reload, submitted
from users.access import search as access_search
from users.access.forms import (
    ApiResourceForm,
    ScopeForm,
)
from users.access.resources import (
    create_resource,
    create_scope,
    delete_resource,
    delete_scope,
    resource_dependents,
    scope_dependents,
    update_resource,
    update_scope,
)
from users.errors import ServiceError
from users.models import (
    ApiResource,
    Scope,
)
from users.views.access import lists
from users.views.access._common import (
    READ,
    _confirm_dialog,
    _form_dialog,
    _origin,
)
from users.views.access.lists import show_list

# --- API resources and their permissions -----------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def resource_list(request):
    return show_list(request, lists.RESOURCES, access_search.search_resources)


@require_http_methods(["GET", "POST"])
@permission_required("users.add_apiresource", raise_exception=True)
@vary_on_headers("HX-Request")
def resource_new(request):
    form = ApiResourceForm(posted(request))
    dialog = Dialog(
        FORM,
        title="Create API resource",
        url=reverse("access:api-resource-new"),
        submit="Create API resource",
        cancel=reverse("access:api-resources"),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        resource = create_resource(origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return go(
        request,
        f"API resource “{resource.name}” created.",
        reverse("access:api-resource-detail", args=[resource.pk]),
    )


@require_GET
@permission_required(READ, raise_exception=True)
def resource_detail(request, resource_id):
    resource = get_object_or_404(ApiResource, pk=resource_id)
    scopes = resource.scopes.order_by("name")
    return render(request, "access/resource_detail.html", {"resource": resource, "scopes": scopes})


@require_http_methods(["GET", "POST"])
@permission_required("users.change_apiresource", raise_exception=True)
@vary_on_headers("HX-Request")
def resource_edit(request, resource_id):
    resource = get_object_or_404(ApiResource, pk=resource_id)
    form = ApiResourceForm(posted(request), editing=True, initial={"name": resource.name})
    dialog = Dialog(
        FORM,
        title="Edit API resource",
        intro=f"API identifier: {resource.indicator} (fixed).",
        url=reverse("access:api-resource-edit", args=[resource.pk]),
        submit="Save",
        cancel=reverse("access:api-resource-detail", args=[resource.pk]),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        resource = update_resource(resource, origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return reload(
        request,
        f"API resource “{resource.name}” saved.",
        reverse("access:api-resource-detail", args=[resource.pk]),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_apiresource", raise_exception=True)
@vary_on_headers("HX-Request")
def resource_delete(request, resource_id):
    resource = get_object_or_404(ApiResource, pk=resource_id)
    dependents = resource_dependents(resource)
    in_use = dependents["roles"] + dependents["organization_roles"]
    blocked = ""
    if in_use:
        names = ", ".join(f"“{r.name}”" for r in in_use[:10])
        blocked = (
            f"It cannot be deleted while roles grant its permissions: {names}"
            f"{' and more' if len(in_use) > 10 else ''}. Remove those permissions from the roles "
            "first, so nobody loses access by surprise."
        )
    scope_count = resource.scopes.count()
    confirm = Dialog(
        CONFIRM,
        danger=True,
        title="Delete API resource",
        text=f"Delete the API resource “{resource.name}” ({resource.indicator})?",
        consequences=(
            f"Its {scope_count} permission{'' if scope_count == 1 else 's'} are deleted with it.",
        ),
        blocked=blocked,
        url=reverse("access:api-resource-delete", args=[resource.pk]),
        submit="Delete API resource",
        cancel=reverse("access:api-resource-detail", args=[resource.pk]),
    )
    if request.method != "POST" or confirm.blocked:
        return _confirm_dialog(request, confirm)
    try:
        delete_resource(resource, origin=_origin(request))
    except ServiceError as error:
        return _confirm_dialog(request, confirm, error=error)
    return go(request, f"API resource “{resource.name}” deleted.", reverse("access:api-resources"))


def _scope_dialog(resource, title, url, submit):
    return Dialog(
        FORM,
        title=title,
        intro=f"A permission of {resource.name} ({resource.indicator}).",
        url=url,
        submit=submit,
        cancel=reverse("access:api-resource-detail", args=[resource.pk]),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.add_scope", raise_exception=True)
@vary_on_headers("HX-Request")
def scope_new(request, resource_id):
    resource = get_object_or_404(ApiResource, pk=resource_id)
    form = ScopeForm(posted(request))
    url = reverse("access:scope-new", args=[resource.pk])
    dialog = _scope_dialog(resource, "Add permission", url, "Add permission")
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        scope = create_scope(resource, origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return reload(
        request,
        f"Permission “{scope.name}” added.",
        reverse("access:api-resource-detail", args=[resource.pk]),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.change_scope", raise_exception=True)
@vary_on_headers("HX-Request")
def scope_edit(request, resource_id, scope_id):
    scope = get_object_or_404(
        Scope.objects.select_related("resource"), pk=scope_id, resource_id=resource_id
    )
    initial = {"name": scope.name, "description": scope.description}
    form = ScopeForm(posted(request), initial=initial)
    url = reverse("access:scope-edit", args=[scope.resource_id, scope.pk])
    dialog = _scope_dialog(scope.resource, "Edit permission", url, "Save")
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        scope = update_scope(scope, origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return reload(
        request,
        f"Permission “{scope.name}” saved.",
        reverse("access:api-resource-detail", args=[scope.resource_id]),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_scope", raise_exception=True)
@vary_on_headers("HX-Request")
def scope_delete(request, resource_id, scope_id):
    scope = get_object_or_404(
        Scope.objects.select_related("resource"), pk=scope_id, resource_id=resource_id
    )
    dependents = scope_dependents(scope)
    consequences = [
        f"{label} that grant it no longer will (cascade): "
        + ", ".join(f"“{r.name}”" for r in roles)
        for label, roles in (
            ("Roles", dependents["roles"]),
            ("Organization roles", dependents["organization_roles"]),
        )
        if roles
    ]
    back = reverse("access:api-resource-detail", args=[scope.resource_id])
    confirm = Dialog(
        CONFIRM,
        danger=True,
        title="Delete permission",
        text=f"Delete the permission “{scope.name}” of {scope.resource.name}?",
        consequences=consequences or ["No role grants it."],
        url=reverse("access:scope-delete", args=[scope.resource_id, scope.pk]),
        submit="Delete permission",
        cancel=back,
    )
    if request.method != "POST" or confirm.blocked:
        return _confirm_dialog(request, confirm)
    try:
        delete_scope(scope, origin=_origin(request))
    except ServiceError as error:
        return _confirm_dialog(request, confirm, error=error)
    return reload(request, f"Permission “{scope.name}” deleted.", back)
