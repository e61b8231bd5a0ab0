"""Console pages for roles, API resources, organizations and applications."""

from django.urls import path

from users.views import access

app_name = "access"
urlpatterns = [
    path("roles", access.role_list, name="roles"),
    path("roles/new", access.RoleNew.as_view(), name="role-new"),
    path("roles/<id:role_id>", access.role_detail, name="role-detail"),
    path("roles/<id:role_id>/edit", access.RoleEdit.as_view(), name="role-edit"),
    path("roles/<id:role_id>/delete", access.RoleDelete.as_view(), name="role-delete"),
    path("api-resources", access.resource_list, name="api-resources"),
    path("api-resources/new", access.ResourceNew.as_view(), name="api-resource-new"),
    path("api-resources/<id:resource_id>", access.resource_detail, name="api-resource-detail"),
    path(
        "api-resources/<id:resource_id>/edit",
        access.ResourceEdit.as_view(),
        name="api-resource-edit",
    ),
    path(
        "api-resources/<id:resource_id>/delete",
        access.ResourceDelete.as_view(),
        name="api-resource-delete",
    ),
    path(
        "api-resources/<id:resource_id>/permissions/new",
        access.ScopeNew.as_view(),
        name="scope-new",
    ),
    path(
        "api-resources/<id:resource_id>/permissions/<id:scope_id>/edit",
        access.ScopeEdit.as_view(),
        name="scope-edit",
    ),
    path(
        "api-resources/<id:resource_id>/permissions/<id:scope_id>/delete",
        access.ScopeDelete.as_view(),
        name="scope-delete",
    ),
    path("organizations", access.organization_list, name="organizations"),
    path("organizations/new", access.OrganizationNew.as_view(), name="organization-new"),
    path(
        "organizations/<id:organization_id>",
        access.organization_detail,
        name="organization-detail",
    ),
    path(
        "organizations/<id:organization_id>/edit",
        access.OrganizationEdit.as_view(),
        name="organization-edit",
    ),
    path(
        "organizations/<id:organization_id>/delete",
        access.OrganizationDelete.as_view(),
        name="organization-delete",
    ),
    path("organization-roles", access.organization_role_list, name="organization-roles"),
    path(
        "organization-roles/new", access.OrganizationRoleNew.as_view(), name="organization-role-new"
    ),
    path(
        "organization-roles/<id:role_id>/edit",
        access.OrganizationRoleEdit.as_view(),
        name="organization-role-edit",
    ),
    path(
        "organization-roles/<id:role_id>/delete",
        access.OrganizationRoleDelete.as_view(),
        name="organization-role-delete",
    ),
    path("applications", access.application_list, name="applications"),
    path("applications/new", access.ApplicationNew.as_view(), name="application-new"),
    path(
        "applications/<id:application_id>",
        access.application_detail,
        name="application-detail",
    ),
    path(
        "applications/<id:application_id>/edit",
        access.ApplicationEdit.as_view(),
        name="application-edit",
    ),
    path(
        "applications/<id:application_id>/delete",
        access.ApplicationDelete.as_view(),
        name="application-delete",
    ),
    path(
        "applications/<id:application_id>/rotate-secret",
        access.application_rotate_secret,
        name="application-rotate-secret",
    ),
    path(
        "applications/<id:application_id>/roles/assign",
        access.application_roles_assign,
        name="application-roles-assign",
    ),
    path(
        "applications/<id:application_id>/roles/<id:role_id>/remove",
        access.ApplicationRoleRemove.as_view(),
        name="application-role-remove",
    ),
]
