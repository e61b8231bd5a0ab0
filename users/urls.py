from django.urls import include, path

from users.views import access, details, directory, logs, sessions, tokens, transfer, user_actions

app_name = "users"

# The pages of one user, below users/<id>/: the Settings tab's forms and acts, its tokens, the
# Roles and Organizations tabs, Logs and Sessions.
one_user = [
    path("identifiers", details.user_identifiers, name="identifiers"),
    path("profile", details.user_profile, name="profile"),
    path("reset-password", user_actions.user_reset_password, name="reset-password"),
    path("suspend", user_actions.UserSuspend.as_view(), name="suspend"),
    path("reactivate", user_actions.UserReactivate.as_view(), name="reactivate"),
    path("delete", user_actions.user_delete, name="delete"),
    path(
        "identities/<id:identity_id>/remove", user_actions.identity_remove, name="identity-remove"
    ),
    path("mfa/<id:factor_id>/remove", user_actions.MfaRemove.as_view(), name="mfa-remove"),
    path("tokens/new", tokens.token_new, name="token-new"),
    path("tokens/<id:token_id>/rename", tokens.TokenRename.as_view(), name="token-rename"),
    path("tokens/<id:token_id>/delete", tokens.TokenDelete.as_view(), name="token-delete"),
    path("roles", access.user_roles, name="roles"),
    path("organizations", access.user_organizations, name="organizations"),
    path("roles/assign", access.user_roles_assign, name="roles-assign"),
    path("roles/permissions", access.user_permissions, name="permissions"),
    path("roles/<id:role_id>/remove", access.UserRoleRemove.as_view(), name="role-remove"),
    path("organizations/add", access.user_organization_add, name="organization-add"),
    path(
        "organizations/<id:organization_id>/roles",
        access.UserOrganizationRoles.as_view(),
        name="organization-roles",
    ),
    path(
        "organizations/<id:organization_id>/remove",
        access.UserOrganizationRemove.as_view(),
        name="organization-remove",
    ),
    path("logs", logs.user_logs, name="logs"),
    path("logs/<id:log_id>", logs.user_log_detail, name="log"),
    path("sessions", sessions.user_sessions, name="sessions"),
    path("sessions/revoke-all", sessions.SessionsRevokeAll.as_view(), name="sessions-revoke-all"),
    path(
        "sessions/<id:session_id>/revoke", sessions.SessionRevoke.as_view(), name="session-revoke"
    ),
    path("lock-down", sessions.user_lock_down, name="lock-down"),
]

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
    path("users/<id:user_id>/", include(one_user)),
]
