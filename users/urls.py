from django.urls import path

from users.views import access, directory, logs

app_name = "users"
urlpatterns = [
    path("users", directory.user_list, name="list"),
    path("users/new", directory.user_new, name="new"),
    path("users/<str:user_id>", directory.user_detail, name="detail"),
    path("users/<str:user_id>/roles", access.user_roles, name="roles"),
    path("users/<str:user_id>/organizations", access.user_organizations, name="organizations"),
    path("users/<str:user_id>/logs", logs.user_logs, name="logs"),
    path("users/<str:user_id>/logs/<str:log_id>", logs.user_log_detail, name="log"),
]
