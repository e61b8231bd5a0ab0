"""A user's Roles and Organizations tabs and their dialogs (assign, remove, organization roles)."""

from http import HTTPStatus

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from console.dialogs import FORM, Dialog, is_fragment, reload, render_page
from users.access import search as access_search
from users.access.forms import (
    AddMembershipForm,
    AssignRolesForm,
    MembershipRolesForm,
    OrganizationChoicesForm,
    RoleChoicesForm,
)
from users.access.organizations import add_membership, remove_membership, set_membership_roles
from users.access.roles import assign_roles, remove_role
from users.errors import ServiceError
from users.models import Membership, OrganizationRole, Role
from users.views.access import lists
from users.views.access._common import (
    BAD_SEARCH,
    CHANGE_USER,
    READ,
    RemoveDialog,
    RoleRemoveDialog,
    _origin,
    _valid_roles,
)
from users.views.access.lists import show_list
from users.views.dialogs import FormDialog
from users.views.directory import get_user_or_404
from users.views.refusals import refuse

# --- A user's Roles tab --------------------------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def user_roles(request, user_id):
    subject = get_user_or_404(user_id)
    return show_list(
        request,
        lists.USER_ROLES,
        subject,
        template="users/user_roles.html",
        subject=subject,
    )


@require_GET
@permission_required(READ, raise_exception=True)
def user_permissions(request, user_id):
    subject = get_user_or_404(user_id)
    groups = access_search.effective_permissions(subject)
    context = {
        "subject": subject,
        "groups": groups,
        "scope_total": sum(len(g["scopes"]) for g in groups),
    }
    return render(request, "access/user_permissions.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_USER, raise_exception=True)
@vary_on_headers("HX-Request")
def user_roles_assign(request, user_id):
    """Assign roles: a searchable multi-select of the user roles the user does not have yet."""
    subject = get_user_or_404(user_id)
    status, error = HTTPStatus.OK, ""
    if request.method == "POST":
        form, search = AssignRolesForm(request.POST), ""
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            roles = form.cleaned_data["roles"]
            try:
                added = assign_roles(subject, roles, origin=_origin(request))
            except (ValidationError, ServiceError) as refusal:
                status = refuse(form, refusal)
            else:
                message = (
                    f"Assigned {len(added)} role{'' if len(added) == 1 else 's'}."
                    if added
                    else "The user already had these roles."
                )
                return reload(request, message, reverse("users:roles", args=[subject.pk]))
        selected = _valid_roles(request.POST.getlist("roles"))
    else:
        choices = RoleChoicesForm(request.GET)
        if not choices.is_valid():
            form, search, selected = AssignRolesForm(), "", []
            error = BAD_SEARCH
            status = HTTPStatus.BAD_REQUEST
        else:
            form = AssignRolesForm()
            search = choices.cleaned_data["search"]
            selected = list(choices.cleaned_data["roles"])
    roles, more = access_search.assignable_roles(subject, search, selected=selected)
    context = {
        "subject": subject,
        "form": form,
        "error": error,
        "search": search,
        "roles": roles,
        "more": more,
        "selected": {r.pk for r in selected},
    }
    fragment = "assign-roles"
    if request.method == "GET" and is_fragment(request, "role-choices"):
        fragment = "role-choices"
    return render_page(request, "access/user_roles_assign.html", fragment, context, status=status)


class UserRoleRemove(RoleRemoveDialog):
    permission = CHANGE_USER

    def load(self):
        self.subject = get_user_or_404(self.kwargs["user_id"])
        self.role = get_object_or_404(
            Role, pk=self.kwargs["role_id"], assignments__user=self.subject
        )

    def text(self):
        return (
            f"Remove the role “{self.role.name}” from this user? They lose the permissions "
            "it grants, unless another of their roles grants them too."
        )

    def back(self):
        return reverse("users:roles", args=[self.subject.pk])

    def act(self):
        remove_role(self.subject, self.role, origin=self.origin)


# --- A user's Organizations tab ------------------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def user_organizations(request, user_id):
    subject = get_user_or_404(user_id)
    return show_list(
        request,
        lists.USER_ORGANIZATIONS,
        subject,
        template="users/user_organizations.html",
        subject=subject,
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_USER, raise_exception=True)
@vary_on_headers("HX-Request")
def user_organization_add(request, user_id):
    """Add the user to an organization (searchable single choice) with organization roles."""
    subject = get_user_or_404(user_id)
    status, error, chosen = HTTPStatus.OK, "", None
    if request.method == "POST":
        form, search = AddMembershipForm(request.POST), ""
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            chosen, roles = form.cleaned_data["organization"], form.cleaned_data["roles"]
            try:
                add_membership(subject, chosen, roles, origin=_origin(request))
            except (ValidationError, ServiceError) as refusal:
                status = refuse(form, refusal)
            else:
                return reload(
                    request,
                    f"Added to “{chosen.name}”.",
                    reverse("users:organizations", args=[subject.pk]),
                )
    else:
        choices = OrganizationChoicesForm(request.GET)
        form = AddMembershipForm()
        if choices.is_valid():
            search = choices.cleaned_data["search"]
            chosen = choices.cleaned_data["organization"]
        else:
            search = ""
            error = BAD_SEARCH
            status = HTTPStatus.BAD_REQUEST
    organizations, more = access_search.joinable_organizations(subject, search, selected=chosen)
    context = {
        "subject": subject,
        "form": form,
        "error": error,
        "search": search,
        "organizations": organizations,
        "more": more,
        "chosen": chosen.pk if chosen else form["organization"].value(),
        "organization_roles": list(OrganizationRole.objects.order_by("name")),
        "selected_roles": {str(v) for v in (form["roles"].value() or [])},
    }
    fragment = "add-organization"
    if request.method == "GET" and is_fragment(request, "organization-choices"):
        fragment = "organization-choices"
    return render_page(
        request, "access/user_organization_add.html", fragment, context, status=status
    )


def _membership_or_404(subject, organization_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("organization"),
        user=subject,
        organization_id=organization_id,
    )


class UserOrganizationRoles(FormDialog):
    """The organization roles a user holds in one of their organizations."""

    permission = CHANGE_USER

    def load(self):
        self.subject = get_user_or_404(self.kwargs["user_id"])
        self.membership = _membership_or_404(self.subject, self.kwargs["organization_id"])
        self.organization = self.membership.organization

    def get_form(self, data):
        initial = {"roles": [r.pk for r in self.membership.roles.all()]}
        return MembershipRolesForm(data, initial=initial)

    def back(self):
        return reverse("users:organizations", args=[self.subject.pk])

    def get_dialog(self):
        return Dialog(
            FORM,
            title=f"Roles in {self.organization.name}",
            intro="The organization roles this user holds in this organization.",
            url=self.request.path,
            submit="Save",
            cancel=self.back(),
        )

    def save(self, form):
        roles = form.cleaned_data["roles"]
        set_membership_roles(self.subject, self.organization, roles, origin=self.origin)

    def done(self, saved):
        return reload(self.request, f"Roles in “{self.organization.name}” saved.", self.back())


class UserOrganizationRemove(RemoveDialog):
    permission = CHANGE_USER
    title = "Remove from organization"

    def load(self):
        self.subject = get_user_or_404(self.kwargs["user_id"])
        membership = _membership_or_404(self.subject, self.kwargs["organization_id"])
        self.organization = membership.organization

    def text(self):
        return (
            f"Remove this user from “{self.organization.name}”? Their organization roles "
            "there go too. Their account is not changed otherwise."
        )

    def back(self):
        return reverse("users:organizations", args=[self.subject.pk])

    def removed(self):
        return f"Removed from “{self.organization.name}”."

    def act(self):
        remove_membership(self.subject, self.organization, origin=self.origin)
