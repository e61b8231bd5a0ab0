"""Console pages of access control: a user's Roles and Organizations tabs, and the lists of roles,
API resources (with their permissions), organizations (with organization roles) and applications.

Every change is a `<dialog>` for htmx and the same form as its own page without JavaScript. A
view parses its input with a form, loads what it acts on (404 for unknown ids), calls one
function of users.access_services and renders. Success ends with a message and a reload of the
page the dialog was opened on (HX-Refresh) or a move to the new thing or the list (HX-Redirect);
without JavaScript, a plain redirect. Errors re-render the dialog by the rule of
users/views/refusals.py: 400 invalid input, 409 a name in use, a stale form or a blocked
deletion, 403 a guard.
"""

import json
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

from audit.recorder import Origin
from console.dialogs import CONFIRM, FORM, Dialog, go, reload, render_dialog, render_page
from users import access_search, access_services
from users.access_forms import (
    AddMembershipForm,
    ApiResourceForm,
    ApplicationForm,
    AssignRolesForm,
    ListForm,
    MembershipRolesForm,
    OrganizationChoicesForm,
    OrganizationForm,
    OrganizationRoleForm,
    RoleChoicesForm,
    RoleForm,
    ScopeForm,
)
from users.errors import ServiceError
from users.models import (
    ApiResource,
    Application,
    ApplicationRole,
    Membership,
    Organization,
    OrganizationRole,
    Role,
    Scope,
    User,
)
from users.views.directory import get_user_or_404
from users.views.refusals import refusal_status

READ = "users.view_user"
CHANGE_USER = "users.change_user"
BAD_SEARCH = "That search is not valid: use at most 200 characters."


def _posted(request):
    """The submitted data of a POST (even an empty one), None for a GET: binds a form or not."""
    return request.POST if request.method == "POST" else None


def _origin(request) -> Origin:
    return Origin.from_request(request)


def _list(request, template, target, query, **context):
    """A searchable, paginated list; htmx asking for `#target` gets only the table."""
    form = ListForm(request.GET)
    if not form.is_valid():
        context.update(form=form, result=None)
        return render(request, template, context, status=HTTPStatus.BAD_REQUEST)
    data = form.cleaned_data
    result = query(data["search"], page=data["page"], page_size=data["page_size"])
    context.update(form=form, result=result, count_cap=access_search.COUNT_CAP)
    fragment = target if request.htmx and request.htmx.target == target else None
    return render_page(request, template, fragment, context)


def _apply_errors(form, error: ValidationError):
    """Put a service's errors on the form's fields (or on the form when it has no such field)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _call(form, call):
    """Run a service call; a refusal goes on the form. Returns (result, status)."""
    try:
        return call(), HTTPStatus.OK
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None, refusal_status(exc)
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return None, exc.status


def _form_dialog(request, form, dialog, *, status=HTTPStatus.OK):
    context = {}
    if "scopes" in form.fields:
        context["scope_groups"] = access_search.scopes_by_resource()
        context["selected_scopes"] = form.selected_scope_ids()
    return render_dialog(request, dialog, form=form, status=status, **context)


def _edit(request, form, call, *, done, dialog):
    """POST: validate, call the service, finish with `done(result)` or re-render with errors."""
    if request.method != "POST":
        return _form_dialog(request, form, dialog)
    if not form.is_valid():
        return _form_dialog(request, form, dialog, status=HTTPStatus.BAD_REQUEST)
    result, status = _call(form, lambda: call(form.cleaned_data))
    if status != HTTPStatus.OK:
        return _form_dialog(request, form, dialog, status=status)
    return done(result)


def _delete(request, call, *, done, confirm, subject=None):
    """GET shows the confirmation; POST runs the service `call` and finishes with `done`, or
    shows the refusal. A blocked deletion is a 409 and never reaches the service."""
    if request.method == "POST" and not confirm.blocked:
        try:
            result = call()
        except ServiceError as error:
            return render_dialog(
                request, confirm, subject=subject, error=error.message, status=error.status
            )
        return done(result)
    status = HTTPStatus.CONFLICT if request.method == "POST" else HTTPStatus.OK
    return render_dialog(request, confirm, subject=subject, status=status)


def _count_text(count: tuple[int, bool], one: str, many: str) -> str:
    number, more = count
    label = one if number == 1 and not more else many
    return f"{number:,}{'+' if more else ''} {label}"


# --- A user's Roles tab --------------------------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def user_roles(request, user_id):
    subject = get_user_or_404(user_id)
    return _list(
        request,
        "users/user_roles.html",
        "user-roles",
        lambda search, **page: access_search.search_user_roles(subject, search, **page),
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
            added, status = _call(
                form, lambda: access_services.assign_roles(subject, roles, origin=_origin(request))
            )
            if status == HTTPStatus.OK:
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
    if request.method == "GET" and request.htmx and request.htmx.target == "role-choices":
        fragment = "role-choices"
    return render_page(request, "access/user_roles_assign.html", fragment, context, status=status)


def _valid_roles(ids):
    """The roles among `ids` that exist (to keep a rejected form's ticks)."""
    ids = [i for i in ids if isinstance(i, str) and i.isalnum() and len(i) <= 21]
    return list(Role.objects.filter(pk__in=ids[:200]))


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_USER, raise_exception=True)
@vary_on_headers("HX-Request")
def user_role_remove(request, user_id, role_id):
    subject = get_user_or_404(user_id)
    role = get_object_or_404(Role, pk=role_id, assignments__user=subject)
    url = reverse("users:role-remove", args=[subject.pk, role.pk])
    back = reverse("users:roles", args=[subject.pk])
    return _delete(
        request,
        lambda: access_services.remove_role(subject, role, origin=_origin(request)),
        done=lambda _: reload(request, f"Role “{role.name}” removed.", back),
        confirm=Dialog(
            CONFIRM,
            danger=True,
            title="Remove role",
            text=f"Remove the role “{role.name}” from this user? They lose the permissions "
            "it grants, unless another of their roles grants them too.",
            url=url,
            submit="Remove",
            cancel=back,
        ),
        subject=subject,
    )


# --- A user's Organizations tab ------------------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def user_organizations(request, user_id):
    subject = get_user_or_404(user_id)
    return _list(
        request,
        "users/user_organizations.html",
        "user-organizations",
        lambda search, **page: access_search.search_user_memberships(subject, search, **page),
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
            _, status = _call(
                form,
                lambda: access_services.add_membership(
                    subject, chosen, roles, origin=_origin(request)
                ),
            )
            if status == HTTPStatus.OK:
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
    if request.method == "GET" and request.htmx and request.htmx.target == "organization-choices":
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


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_USER, raise_exception=True)
@vary_on_headers("HX-Request")
def user_organization_roles(request, user_id, organization_id):
    subject = get_user_or_404(user_id)
    membership = _membership_or_404(subject, organization_id)
    organization = membership.organization
    initial = {"roles": [r.pk for r in membership.roles.all()]}
    form = MembershipRolesForm(_posted(request), initial=initial)
    back = reverse("users:organizations", args=[subject.pk])
    return _edit(
        request,
        form,
        lambda data: access_services.set_membership_roles(
            subject, organization, data["roles"], origin=_origin(request)
        ),
        done=lambda _: reload(request, f"Roles in “{organization.name}” saved.", back),
        dialog=Dialog(
            FORM,
            title=f"Roles in {organization.name}",
            intro="The organization roles this user holds in this organization.",
            url=reverse("users:organization-roles", args=[subject.pk, organization.pk]),
            submit="Save",
            cancel=back,
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_USER, raise_exception=True)
@vary_on_headers("HX-Request")
def user_organization_remove(request, user_id, organization_id):
    subject = get_user_or_404(user_id)
    membership = _membership_or_404(subject, organization_id)
    organization = membership.organization
    back = reverse("users:organizations", args=[subject.pk])
    return _delete(
        request,
        lambda: access_services.remove_membership(subject, organization, origin=_origin(request)),
        done=lambda _: reload(request, f"Removed from “{organization.name}”.", back),
        confirm=Dialog(
            CONFIRM,
            danger=True,
            title="Remove from organization",
            text=f"Remove this user from “{organization.name}”? Their organization roles "
            "there go too. Their account is not changed otherwise.",
            url=reverse("users:organization-remove", args=[subject.pk, organization.pk]),
            submit="Remove",
            cancel=back,
        ),
        subject=subject,
    )


# --- Roles -----------------------------------------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def role_list(request):
    return _list(request, "access/role_list.html", "role-table", access_search.search_roles)


@require_http_methods(["GET", "POST"])
@permission_required("users.add_role", raise_exception=True)
@vary_on_headers("HX-Request")
def role_new(request):
    form = RoleForm(_posted(request))
    return _edit(
        request,
        form,
        lambda data: access_services.create_role(origin=_origin(request), **data),
        done=lambda role: go(
            request, f"Role “{role.name}” created.", reverse("access:role-detail", args=[role.pk])
        ),
        dialog=Dialog(
            FORM,
            title="Create role",
            url=reverse("access:role-new"),
            submit="Create role",
            cancel=reverse("access:roles"),
        ),
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
    form = RoleForm(_posted(request), role=role)
    return _edit(
        request,
        form,
        lambda data: access_services.update_role(role, origin=_origin(request), **data),
        done=lambda role: reload(
            request, f"Role “{role.name}” saved.", reverse("access:role-detail", args=[role.pk])
        ),
        dialog=Dialog(
            FORM,
            title="Edit role",
            url=reverse("access:role-edit", args=[role.pk]),
            submit="Save",
            cancel=reverse("access:role-detail", args=[role.pk]),
        ),
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
    return _delete(
        request,
        lambda: access_services.delete_role(role, origin=_origin(request)),
        done=lambda _: go(request, f"Role “{role.name}” deleted.", reverse("access:roles")),
        confirm=Dialog(
            CONFIRM,
            danger=True,
            title="Delete role",
            text=f"Delete the role “{role.name}”? This cannot be undone; the audit log keeps "
            "a record.",
            consequences=consequences,
            url=reverse("access:role-delete", args=[role.pk]),
            submit="Delete role",
            cancel=reverse("access:role-detail", args=[role.pk]),
        ),
    )


# --- API resources and their permissions -----------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def resource_list(request):
    return _list(
        request, "access/resource_list.html", "resource-table", access_search.search_resources
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.add_apiresource", raise_exception=True)
@vary_on_headers("HX-Request")
def resource_new(request):
    form = ApiResourceForm(_posted(request))
    return _edit(
        request,
        form,
        lambda data: access_services.create_resource(origin=_origin(request), **data),
        done=lambda resource: go(
            request,
            f"API resource “{resource.name}” created.",
            reverse("access:api-resource-detail", args=[resource.pk]),
        ),
        dialog=Dialog(
            FORM,
            title="Create API resource",
            url=reverse("access:api-resource-new"),
            submit="Create API resource",
            cancel=reverse("access:api-resources"),
        ),
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
    form = ApiResourceForm(_posted(request), editing=True, initial={"name": resource.name})
    return _edit(
        request,
        form,
        lambda data: access_services.update_resource(resource, origin=_origin(request), **data),
        done=lambda resource: reload(
            request,
            f"API resource “{resource.name}” saved.",
            reverse("access:api-resource-detail", args=[resource.pk]),
        ),
        dialog=Dialog(
            FORM,
            title="Edit API resource",
            intro=f"API identifier: {resource.indicator} (fixed).",
            url=reverse("access:api-resource-edit", args=[resource.pk]),
            submit="Save",
            cancel=reverse("access:api-resource-detail", args=[resource.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_apiresource", raise_exception=True)
@vary_on_headers("HX-Request")
def resource_delete(request, resource_id):
    resource = get_object_or_404(ApiResource, pk=resource_id)
    dependents = access_services.resource_dependents(resource)
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
    return _delete(
        request,
        lambda: access_services.delete_resource(resource, origin=_origin(request)),
        done=lambda _: go(
            request, f"API resource “{resource.name}” deleted.", reverse("access:api-resources")
        ),
        confirm=Dialog(
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
        ),
    )


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
    form = ScopeForm(_posted(request))
    url = reverse("access:scope-new", args=[resource.pk])
    return _edit(
        request,
        form,
        lambda data: access_services.create_scope(resource, origin=_origin(request), **data),
        done=lambda scope: reload(
            request,
            f"Permission “{scope.name}” added.",
            reverse("access:api-resource-detail", args=[resource.pk]),
        ),
        dialog=_scope_dialog(resource, "Add permission", url, "Add permission"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.change_scope", raise_exception=True)
@vary_on_headers("HX-Request")
def scope_edit(request, resource_id, scope_id):
    scope = get_object_or_404(
        Scope.objects.select_related("resource"), pk=scope_id, resource_id=resource_id
    )
    initial = {"name": scope.name, "description": scope.description}
    form = ScopeForm(_posted(request), initial=initial)
    url = reverse("access:scope-edit", args=[scope.resource_id, scope.pk])
    return _edit(
        request,
        form,
        lambda data: access_services.update_scope(scope, origin=_origin(request), **data),
        done=lambda scope: reload(
            request,
            f"Permission “{scope.name}” saved.",
            reverse("access:api-resource-detail", args=[scope.resource_id]),
        ),
        dialog=_scope_dialog(scope.resource, "Edit permission", url, "Save"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_scope", raise_exception=True)
@vary_on_headers("HX-Request")
def scope_delete(request, resource_id, scope_id):
    scope = get_object_or_404(
        Scope.objects.select_related("resource"), pk=scope_id, resource_id=resource_id
    )
    dependents = access_services.scope_dependents(scope)
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
    return _delete(
        request,
        lambda: access_services.delete_scope(scope, origin=_origin(request)),
        done=lambda _: reload(request, f"Permission “{scope.name}” deleted.", back),
        confirm=Dialog(
            CONFIRM,
            danger=True,
            title="Delete permission",
            text=f"Delete the permission “{scope.name}” of {scope.resource.name}?",
            consequences=consequences or ["No role grants it."],
            url=reverse("access:scope-delete", args=[scope.resource_id, scope.pk]),
            submit="Delete permission",
            cancel=back,
        ),
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
        lambda data: access_services.create_organization(origin=_origin(request), **data),
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
        lambda data: access_services.update_organization(
            organization, origin=_origin(request), **data
        ),
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
        lambda: access_services.delete_organization(organization, origin=_origin(request)),
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
        lambda data: access_services.create_organization_role(origin=_origin(request), **data),
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
        lambda data: access_services.update_organization_role(
            role, origin=_origin(request), **data
        ),
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
        lambda: access_services.delete_organization_role(role, origin=_origin(request)),
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


# --- Applications ----------------------------------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def application_list(request):
    return _list(
        request,
        "access/application_list.html",
        "application-table",
        access_search.search_applications,
    )


SECRET_TEMPLATE = "access/application_secret.html"


@sensitive_variables("secret", "context")
def _show_secret(request, app, secret, *, heading):
    """The one response that shows a client secret (the view is never_cache; the dialog is
    hx-history="false" and console.js removes it when it closes)."""
    context = {"application": app, "secret": secret, "heading": heading}
    return render_page(request, SECRET_TEMPLATE, "application-secret", context)


def _created(request, app):
    if app.is_machine_to_machine:
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
    form = ApplicationForm(_posted(request))
    return _edit(
        request,
        form,
        lambda data: access_services.create_application(origin=_origin(request), **data),
        done=lambda app: _created(request, app),
        dialog=Dialog(
            FORM,
            title="Create application",
            url=reverse("access:application-new"),
            submit="Create application",
            cancel=reverse("access:applications"),
        ),
    )


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
    form = ApplicationForm(_posted(request), application=application)
    return _edit(
        request,
        form,
        lambda data: access_services.update_application(
            application, origin=_origin(request), **data
        ),
        done=lambda app: reload(
            request,
            f"Application “{app.name}” saved.",
            reverse("access:application-detail", args=[app.pk]),
        ),
        dialog=Dialog(
            FORM,
            title="Edit application",
            intro=f"{application.get_type_display()} application (the type is fixed).",
            url=reverse("access:application-edit", args=[application.pk]),
            submit="Save",
            cancel=reverse("access:application-detail", args=[application.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_application", raise_exception=True)
@vary_on_headers("HX-Request")
def application_delete(request, application_id):
    application = get_object_or_404(Application, pk=application_id)
    users = access_search.count_capped(User.objects.filter(application=application))
    return _delete(
        request,
        lambda: access_services.delete_application(application, origin=_origin(request)),
        done=lambda _: go(
            request, f"Application “{application.name}” deleted.", reverse("access:applications")
        ),
        confirm=Dialog(
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
        ),
    )


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
    application = _m2m_application_or_404(application_id)
    detail = reverse("access:application-detail", args=[application.pk])
    if request.method == "POST":
        secret = access_services.rotate_application_secret(application, origin=_origin(request))
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
            added, status = _call(
                form,
                lambda: access_services.assign_application_roles(
                    application, roles, origin=_origin(request)
                ),
            )
            if status == HTTPStatus.OK:
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
    return _delete(
        request,
        lambda: access_services.remove_application_role(application, role, origin=_origin(request)),
        done=lambda _: reload(request, f"Role “{role.name}” removed.", detail),
        confirm=Dialog(
            CONFIRM,
            danger=True,
            title="Remove role",
            text=f"Remove the role “{role.name}” from “{application.name}”? It loses the "
            "permissions the role grants at once, and its current access tokens stop working.",
            url=reverse("access:application-role-remove", args=[application.pk, role.pk]),
            submit="Remove",
            cancel=detail,
        ),
    )
