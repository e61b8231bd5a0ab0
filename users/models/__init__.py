"""The directory's models, one module per area; import them from here."""

from users.models.applications import Application
from users.models.user import User, UserManager, build_search_text

__all__ = ["Application", "User", "UserManager", "build_search_text"]
