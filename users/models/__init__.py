"""The directory's models, one module per area; import them from here."""

from users.models.user import Application, User, UserManager, build_search_text

__all__ = ["Application", "User", "UserManager", "build_search_text"]
