"""The directory's models, one module per area; import them from here."""

from users.models.access import (
    ApiResource,
    Membership,
    Organization,
    OrganizationRole,
    Role,
    Scope,
    UserRole,
)
from users.models.applications import Application, ApplicationRole
from users.models.credentials import Identity, MfaFactor, PersonalAccessToken, SsoIdentity
from users.models.import_jobs import ImportJob, SetAsideIndex
from users.models.jobs import BulkJob, BulkJobItem
from users.models.sessions import UserSession
from users.models.user import User, UserManager, build_search_text

__all__ = [
    "ApiResource",
    "Application",
    "BulkJob",
    "BulkJobItem",
    "ApplicationRole",
    "Identity",
    "ImportJob",
    "SetAsideIndex",
    "Membership",
    "MfaFactor",
    "Organization",
    "OrganizationRole",
    "PersonalAccessToken",
    "Role",
    "Scope",
    "SsoIdentity",
    "User",
    "UserManager",
    "UserRole",
    "UserSession",
    "build_search_text",
]
