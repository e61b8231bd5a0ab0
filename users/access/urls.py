"""Console pages for roles, API resources, organizations and applications."""

from django.urls import path

from users.views import access
from users.views.access import lists

app_name = "access"


def thing_paths(route, name, pk, *, list_page, new, edit, delete, detail=None):
    """A concept's list and the dialogs of its things, e.g. for roles: `roles` (URL name
        `roles`), `roles/new` (`role-new`), `roles/<id>` (`role-detail`, when a thing has a page of
        its own), `roles/<id>/edit` (`role-edit`) and `roles/<id>/delete` (`role-delete`). The list is
    `list_page` (users/views/access/lists.py) served by `lists.access_list`."""
    one = f"{route}/<id:{pk}>"
    paths = [
        path(route, lists.access_list, {"page": list_page}, name=f"{name}s"),
        path(f"{route}/new", new.as_view(), name=f"{name}-new"),
        path(f"{one}/edit", edit.as_view(), name=f"{name}-edit"),
        path(f"{one}/delete", delete.as_view(), name=f"{name}-delete"),
    ]
    if detail is not None:
        paths.insert(2, path(one, detail, name=f"{name}-detail"))
    return paths


permissions = "api-resources/<id:resource_id>/permissions"
application = "applications/<id:application_id>"
urlpatterns = [
    *thing_paths(
        "roles",
        "role",
        "role_id",
        list_page=lists.ROLES,
        new=access.RoleNew,
        detail=access.role_detail,
        edit=access.RoleEdit,
        delete=access.RoleDelete,
    ),
    *thing_paths(
        "api-resources",
        "api-resource",
        "resource_id",
        list_page=lists.RESOURCES,
        new=access.ResourceNew,
        detail=access.resource_detail,
        edit=access.ResourceEdit,
        delete=access.ResourceDelete,
    ),
    path(f"{permissions}/new", access.ScopeNew.as_view(), name="scope-new"),
    path(f"{permissions}/<id:scope_id>/edit", access.ScopeEdit.as_view(), name="scope-edit"),
    path(f"{permissions}/<id:scope_id>/delete", access.ScopeDelete.as_view(), name="scope-delete"),
    *thing_paths(
        "organizations",
        "organization",
        "organization_id",
        list_page=lists.ORGANIZATIONS,
        new=access.OrganizationNew,
        detail=access.organization_detail,
        edit=access.OrganizationEdit,
        delete=access.OrganizationDelete,
    ),
    *thing_paths(  # no detail page: the list is their page
        "organization-roles",
        "organization-role",
        "role_id",
        list_page=lists.ORGANIZATION_ROLES,
        new=access.OrganizationRoleNew,
        edit=access.OrganizationRoleEdit,
        delete=access.OrganizationRoleDelete,
    ),
    *thing_paths(
        "applications",
        "application",
        "application_id",
        list_page=lists.APPLICATIONS,
        new=access.ApplicationNew,
        detail=access.application_detail,
        edit=access.ApplicationEdit,
        delete=access.ApplicationDelete,
    ),
    path(
        f"{application}/rotate-secret",
        access.application_rotate_secret,
        name="application-rotate-secret",
    ),
    path(
        f"{application}/roles/assign",
        access.application_roles_assign,
        name="application-roles-assign",
    ),
    path(
        f"{application}/roles/<id:role_id>/remove",
        access.ApplicationRoleRemove.as_view(),
        name="application-role-remove",
    ),
]
