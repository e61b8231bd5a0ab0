"""Console pages for roles, API resources, organizations and applications."""

from django.urls import path

from users.views import access

app_name = "access"
urlpatterns = [
    path("roles", access.role_list, name="roles"),
    path("api-resources", access.resource_list, name="api-resources"),
    path("organizations", access.organization_list, name="organizations"),
    path("applications", access.application_list, name="applications"),
]
