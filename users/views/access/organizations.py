"""The Organizations pages and the organization roles."""

import json

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from console.dialogs import CONFIRM, FORM, Dialog, go, reload
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
from users.models import (
    Organization,
    OrganizationRole,
)
from users.views.access._common import (
    READ,
    _count_text,
    _delete,
    _edit,
    _list,
    _origin,
    _posted,
)

# --- Organizations and organization roles ----------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def organization_list(request):
    return _list(
        request,
        "access/organization_list.html",
        "organization-table",
        access_search.search_organizations,
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.add_organization", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_new(request):
    form = OrganizationForm(_posted(request))
    return _edit(
        request,
        form,
        lambda data: create_organization(origin=_origin(request), **data),
        done=lambda org: go(
            request,
            f"Organization “{org.name}” created.",
            reverse("access:organization-detail", args=[org.pk]),
        ),
        dialog=Dialog(
            FORM,
            title="Create organization",
            url=reverse("access:organization-new"),
            submit="Create organization",
            cancel=reverse("access:organizations"),
        ),
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
    form = OrganizationForm(_posted(request), initial=initial)
    return _edit(
        request,
        form,
        lambda data: update_organization(organization, origin=_origin(request), **data),
        done=lambda org: reload(
            request,
            f"Organization “{org.name}” saved.",
            reverse("access:organization-detail", args=[org.pk]),
        ),
        dialog=Dialog(
            FORM,
            title="Edit organization",
            url=reverse("access:organization-edit", args=[organization.pk]),
            submit="Save",
            cancel=reverse("access:organization-detail", args=[organization.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_organization", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_delete(request, organization_id):
    organization = get_object_or_404(Organization, pk=organization_id)
    members = access_search.count_capped(organization.memberships.all())
    return _delete(
        request,
        lambda: delete_organization(organization, origin=_origin(request)),
        done=lambda _: go(
            request, f"Organization “{organization.name}” deleted.", reverse("access:organizations")
        ),
        confirm=Dialog(
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
        ),
    )


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def organization_role_list(request):
    return _list(
        request,
        "access/organization_role_list.html",
        "organization-role-table",
        access_search.search_organization_roles,
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.add_organizationrole", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_role_new(request):
    form = OrganizationRoleForm(_posted(request))
    return _edit(
        request,
        form,
        lambda data: create_organization_role(origin=_origin(request), **data),
        done=lambda role: reload(
            request,
            f"Organization role “{role.name}” created.",
            reverse("access:organization-roles"),
        ),
        dialog=Dialog(
            FORM,
            title="Create organization role",
            intro="Members hold organization roles inside each organization they belong to.",
            url=reverse("access:organization-role-new"),
            submit="Create organization role",
            cancel=reverse("access:organization-roles"),
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.change_organizationrole", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_role_edit(request, role_id):
    role = get_object_or_404(OrganizationRole, pk=role_id)
    form = OrganizationRoleForm(_posted(request), role=role)
    return _edit(
        request,
        form,
        lambda data: update_organization_role(role, origin=_origin(request), **data),
        done=lambda role: reload(
            request, f"Organization role “{role.name}” saved.", reverse("access:organization-roles")
        ),
        dialog=Dialog(
            FORM,
            title="Edit organization role",
            url=reverse("access:organization-role-edit", args=[role.pk]),
            submit="Save",
            cancel=reverse("access:organization-roles"),
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_organizationrole", raise_exception=True)
@vary_on_headers("HX-Request")
def organization_role_delete(request, role_id):
    role = get_object_or_404(OrganizationRole, pk=role_id)
    holders = access_search.count_capped(role.memberships.all())
    return _delete(
        request,
        lambda: delete_organization_role(role, origin=_origin(request)),
        done=lambda _: reload(
            request,
            f"Organization role “{role.name}” deleted.",
            reverse("access:organization-roles"),
        ),
        confirm=Dialog(
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
        ),
    )
