"""The Organizations pages and the organization roles."""

import json

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from console.dialogs import CONFIRM, FORM, Dialog, go, posted, reload, submitted
from users.access import search as access_search
from users.access.forms import (
    OrganizationForm,
    OrganizationRoleForm,
)
from users.access.organizations import (
    create_organization,
    create_organization_role,
    delete_organization,
    delete_organization_role,
    update_organization,
    update_organization_role,
)
from users.errors import ServiceError
from users.models import (
    Organization,
    OrganizationRole,
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

# --- Organizations and organization roles ----------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def organization_list(request):
    return show_list(request, lists.ORGANIZATIONS, access_search.search_organizations)


@require_http_methods(["GET", "POST"])
@permission_required("users.add_organization", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_new(request):
    form = OrganizationForm(posted(request))
    dialog = Dialog(
        FORM,
        title="Create organization",
        url=reverse("access:organization-new"),
        submit="Create organization",
        cancel=reverse("access:organizations"),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        org = create_organization(origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return go(
        request,
        f"Organization “{org.name}” created.",
        reverse("access:organization-detail", args=[org.pk]),
    )


@require_GET
@permission_required(READ, raise_exception=True)
def organization_detail(request, organization_id):
    organization = get_object_or_404(Organization, pk=organization_id)
    members = access_search.count_capped(organization.memberships.all())
    context = {
        "organization": organization,
        "members": _count_text(members, "member", "members"),
        "custom_data": json.dumps(organization.custom_data, indent=2, ensure_ascii=False),
    }
    return render(request, "access/organization_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("users.change_organization", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_edit(request, organization_id):
    organization = get_object_or_404(Organization, pk=organization_id)
    initial = {
        "name": organization.name,
        "description": organization.description,
        "custom_data": organization.custom_data,
    }
    form = OrganizationForm(posted(request), initial=initial)
    dialog = Dialog(
        FORM,
        title="Edit organization",
        url=reverse("access:organization-edit", args=[organization.pk]),
        submit="Save",
        cancel=reverse("access:organization-detail", args=[organization.pk]),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        org = update_organization(organization, origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return reload(
        request,
        f"Organization “{org.name}” saved.",
        reverse("access:organization-detail", args=[org.pk]),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_organization", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_delete(request, organization_id):
    organization = get_object_or_404(Organization, pk=organization_id)
    members = access_search.count_capped(organization.memberships.all())
    confirm = Dialog(
        CONFIRM,
        danger=True,
        title="Delete organization",
        text=f"Delete the organization “{organization.name}”? This cannot be undone.",
        consequences=(
            f"Its {_count_text(members, 'membership', 'memberships')} and the organization "
            "roles held in it are removed (cascade); the users keep their accounts.",
        ),
        url=reverse("access:organization-delete", args=[organization.pk]),
        submit="Delete organization",
        cancel=reverse("access:organization-detail", args=[organization.pk]),
    )
    if request.method != "POST" or confirm.blocked:
        return _confirm_dialog(request, confirm)
    try:
        delete_organization(organization, origin=_origin(request))
    except ServiceError as error:
        return _confirm_dialog(request, confirm, error=error)
    return go(
        request, f"Organization “{organization.name}” deleted.", reverse("access:organizations")
    )


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def organization_role_list(request):
    return show_list(request, lists.ORGANIZATION_ROLES, access_search.search_organization_roles)


@require_http_methods(["GET", "POST"])
@permission_required("users.add_organizationrole", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_role_new(request):
    form = OrganizationRoleForm(posted(request))
    dialog = Dialog(
        FORM,
        title="Create organization role",
        intro="Members hold organization roles inside each organization they belong to.",
        url=reverse("access:organization-role-new"),
        submit="Create organization role",
        cancel=reverse("access:organization-roles"),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        role = create_organization_role(origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return reload(
        request,
        f"Organization role “{role.name}” created.",
        reverse("access:organization-roles"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.change_organizationrole", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_role_edit(request, role_id):
    role = get_object_or_404(OrganizationRole, pk=role_id)
    form = OrganizationRoleForm(posted(request), role=role)
    dialog = Dialog(
        FORM,
        title="Edit organization role",
        url=reverse("access:organization-role-edit", args=[role.pk]),
        submit="Save",
        cancel=reverse("access:organization-roles"),
    )
    if not submitted(request, form):
        return _form_dialog(request, form, dialog)
    try:
        role = update_organization_role(role, origin=_origin(request), **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, dialog, error=error)
    return reload(
        request, f"Organization role “{role.name}” saved.", reverse("access:organization-roles")
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_organizationrole", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_role_delete(request, role_id):
    role = get_object_or_404(OrganizationRole, pk=role_id)
    holders = access_search.count_capped(role.memberships.all())
    confirm = Dialog(
        CONFIRM,
        danger=True,
        title="Delete organization role",
        text=f"Delete the organization role “{role.name}”?",
        consequences=(
            f"It is taken from {_count_text(holders, 'member', 'members')} who hold it "
            "(cascade); their memberships stay.",
        ),
        url=reverse("access:organization-role-delete", args=[role.pk]),
        submit="Delete organization role",
        cancel=reverse("access:organization-roles"),
    )
    if request.method != "POST" or confirm.blocked:
        return _confirm_dialog(request, confirm)
    try:
        delete_organization_role(role, origin=_origin(request))
    except ServiceError as error:
        return _confirm_dialog(request, confirm, error=error)
    return reload(
        request,
        f"Organization role “{role.name}” deleted.",
        reverse("access:organization-roles"),
    )
