"""The Organizations pages and the organization roles."""

import json

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from users.access import search as access_search
from users.access.forms import OrganizationForm, OrganizationRoleForm
from users.access.organizations import (
    create_organization,
    create_organization_role,
    delete_organization,
    delete_organization_role,
    update_organization,
    update_organization_role,
)
from users.models import Organization, OrganizationRole
from users.views.access._common import READ, CreateDialog, DeleteDialog, EditDialog, _count_text

# --- Organizations ---------------------------------------------------------------------------


def _members(organization, one="member", many="members") -> str:
    return _count_text(access_search.count_capped(organization.memberships.all()), one, many)


@require_GET
@permission_required(READ, raise_exception=True)
def organization_detail(request, organization_id):
    organization = get_object_or_404(Organization, pk=organization_id)
    context = {
        "organization": organization,
        "members": _members(organization),
        "custom_data": json.dumps(organization.custom_data, indent=2, ensure_ascii=False),
    }
    return render(request, "access/organization_detail.html", context)


class OrganizationPage:
    """What the Organizations dialogs share (users/views/access/_common.py)."""

    model = Organization
    pk_url_kwarg = "organization_id"
    form_class = OrganizationForm
    noun = "organization"
    list_url = "access:organizations"
    detail_url = "access:organization-detail"


class OrganizationNew(OrganizationPage, CreateDialog):
    def save(self, form):
        return create_organization(origin=self.origin, **form.cleaned_data)


class OrganizationEdit(OrganizationPage, EditDialog):
    def get_form(self, data):
        fields = ("name", "description", "custom_data")
        initial = {field: getattr(self.object, field) for field in fields}
        return OrganizationForm(data, initial=initial)

    def save(self, form):
        return update_organization(self.object, origin=self.origin, **form.cleaned_data)


class OrganizationDelete(OrganizationPage, DeleteDialog):
    def text(self):
        return f"{super().text()} This cannot be undone."

    def consequences(self):
        return (
            f"Its {_members(self.object, 'membership', 'memberships')} and the organization "
            "roles held in it are removed (cascade); the users keep their accounts.",
        )

    def act(self):
        delete_organization(self.object, origin=self.origin)


# --- Organization roles (their list is their page) -------------------------------------------


class OrganizationRolePage:
    """What the organization roles' dialogs share: no detail page, so success reloads the list."""

    model = OrganizationRole
    pk_url_kwarg = "role_id"
    form_class = OrganizationRoleForm
    noun = "organization role"
    list_url = "access:organization-roles"


class OrganizationRoleNew(OrganizationRolePage, CreateDialog):
    intro = "Members hold organization roles inside each organization they belong to."

    def save(self, form):
        return create_organization_role(origin=self.origin, **form.cleaned_data)


class OrganizationRoleEdit(OrganizationRolePage, EditDialog):
    def get_form(self, data):
        return OrganizationRoleForm(data, role=self.object)

    def save(self, form):
        return update_organization_role(self.object, origin=self.origin, **form.cleaned_data)


class OrganizationRoleDelete(OrganizationRolePage, DeleteDialog):
    def consequences(self):
        holders = access_search.count_capped(self.object.memberships.all())
        return (
            f"It is taken from {_count_text(holders, 'member', 'members')} who hold it "
            "(cascade); their memberships stay.",
        )

    def act(self):
        delete_organization_role(self.object, origin=self.origin)
