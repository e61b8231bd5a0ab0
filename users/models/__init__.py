"""The directory's models, one module per area; import them from here."""

from users.models.applications import Application
from users.models.credentials import Identity, MfaFactor, PersonalAccessToken, SsoIdentity
from users.models.user import User, UserManager, build_search_text

__all__ = [
    "Application",
    "Identity",
    "MfaFactor",
    "PersonalAccessToken",
    "SsoIdentity",
    "User",
    "UserManager",
    "build_search_text",
]
