from django.urls import path

from users.views import access, details, directory, logs, sessions, tokens, transfer, user_actions

app_name = "users"
urlpatterns = [
    path("users", directory.user_list, name="list"),
    path("users/new", directory.user_new, name="new"),
    path("users/export", transfer.user_export, name="export"),
    path("users/import", transfer.user_import, name="import"),
    path("users/import/jobs/<id:job_id>", transfer.import_job, name="import-job"),
    path(
        "users/import/jobs/<id:job_id>/cancel",
        transfer.import_job_cancel,
        name="import-job-cancel",
    ),
    path("users/<id:user_id>", details.user_detail, name="detail"),
    path("users/<id:user_id>/identifiers", details.user_identifiers, name="identifiers"),
    path("users/<id:user_id>/profile", details.user_profile, name="profile"),
    path(
        "users/<id:user_id>/reset-password", user_actions.user_reset_password, name="reset-password"
    ),
    path("users/<id:user_id>/suspend", user_actions.UserSuspend.as_view(), name="suspend"),
    path("users/<id:user_id>/reactivate", user_actions.UserReactivate.as_view(), name="reactivate"),
    path("users/<id:user_id>/delete", user_actions.user_delete, name="delete"),
    path(
        "users/<id:user_id>/identities/<id:identity_id>/remove",
        user_actions.identity_remove,
        name="identity-remove",
    ),
    path(
        "users/<id:user_id>/mfa/<id:factor_id>/remove",
        user_actions.MfaRemove.as_view(),
        name="mfa-remove",
    ),
    path("users/<id:user_id>/tokens/new", tokens.token_new, name="token-new"),
    path(
        "users/<id:user_id>/tokens/<id:token_id>/rename",
        tokens.TokenRename.as_view(),
        name="token-rename",
    ),
    path(
        "users/<id:user_id>/tokens/<id:token_id>/delete",
        tokens.TokenDelete.as_view(),
        name="token-delete",
    ),
    path("users/<id:user_id>/roles", access.user_roles, name="roles"),
    path("users/<id:user_id>/organizations", access.user_organizations, name="organizations"),
    path("users/<id:user_id>/roles/assign", access.user_roles_assign, name="roles-assign"),
    path("users/<id:user_id>/roles/permissions", access.user_permissions, name="permissions"),
    path(
        "users/<id:user_id>/roles/<id:role_id>/remove",
        access.UserRoleRemove.as_view(),
        name="role-remove",
    ),
    path(
        "users/<id:user_id>/organizations/add",
        access.user_organization_add,
        name="organization-add",
    ),
    path(
        "users/<id:user_id>/organizations/<id:organization_id>/roles",
        access.UserOrganizationRoles.as_view(),
        name="organization-roles",
    ),
    path(
        "users/<id:user_id>/organizations/<id:organization_id>/remove",
        access.UserOrganizationRemove.as_view(),
        name="organization-remove",
    ),
    path("users/<id:user_id>/logs", logs.user_logs, name="logs"),
    path("users/<id:user_id>/logs/<id:log_id>", logs.user_log_detail, name="log"),
    path("users/<id:user_id>/sessions", sessions.user_sessions, name="sessions"),
    path(
        "users/<id:user_id>/sessions/revoke-all",
        sessions.SessionsRevokeAll.as_view(),
        name="sessions-revoke-all",
    ),
    path(
        "users/<id:user_id>/sessions/<id:session_id>/revoke",
        sessions.SessionRevoke.as_view(),
        name="session-revoke",
    ),
    path("users/<id:user_id>/lock-down", sessions.user_lock_down, name="lock-down"),
]
