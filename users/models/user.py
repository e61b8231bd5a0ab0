from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from users.identifiers import format_phone
from users.ids import generate_user_id
from users.models.applications import Application
from users.models.fields import unique


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username=None, password=None, **fields):
        user = self.model(username=username, **fields)
        user.set_password(password)  # None makes the password unusable
        user.full_clean(exclude=["password"])
        user.save()
        return user

    def create_superuser(self, username=None, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **fields)


def build_search_text(user_id, username, email, phone, name) -> str:
    """What keyword search matches: the lower-cased identifiers and name on one line.

    Phones appear as digits and as +digits, so "+4420" and "4420" both find them.
    """
    parts = [user_id, username, email, name]
    if phone:
        parts += [phone, "+" + phone]
    return "\n".join(p.lower() for p in parts if p)


class User(AbstractBaseUser, PermissionsMixin):
    """An end-user account; console admins are users with `is_staff`."""

    id = models.CharField(primary_key=True, max_length=12, default=generate_user_id, editable=False)
    username = models.CharField(max_length=128, null=True, blank=True)
    primary_email = models.CharField("email", max_length=128, null=True, blank=True)
    primary_phone = models.CharField("phone", max_length=128, null=True, blank=True)
    name = models.CharField(max_length=128, blank=True, default="")
    avatar = models.URLField(max_length=2048, blank=True, default="")
    profile = models.JSONField(default=dict, blank=True)
    custom_data = models.JSONField(default=dict, blank=True)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_suspended = models.BooleanField(default=False)
    is_password_expired = models.BooleanField(default=False)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    password_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    is_staff = models.BooleanField(default=False)
    # When the user became a console member (users.staff); None for everyone else.
    staff_since = models.DateTimeField(null=True, blank=True)
    # Kept in step with the fields above by save(); bulk writers call refresh_search_text().
    search_text = models.TextField(default="", editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "primary_email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="user_newest_first"),
        ]
        constraints = [
            unique(Lower("username"), name="user_username_unique_ci"),
            unique(Lower("primary_email"), name="user_email_unique_ci"),
            unique(fields=["primary_phone"], name="user_phone_unique"),
        ]

    def __str__(self):
        return self.display_identifier or self.id

    @property
    def is_active(self):
        # Django's auth checks is_active on every sign-in path: suspended users are never active.
        return not self.is_suspended

    @property
    def has_password(self):
        return self.has_usable_password()

    @property
    def formatted_phone(self):
        return format_phone(self.primary_phone)

    @property
    def display_identifier(self):
        """The first identifier, in Logto's order: email, phone, username."""
        return self.primary_email or self.formatted_phone or self.username or ""

    @property
    def initials(self):
        """Up to two letters for the avatar: each word's first letter, never a symbol or digit
        ("<script" gives "S"); "?" when no name or identifier has a letter."""
        source = self.name or self.username or self.primary_email or ""
        words = source.replace("@", " ").replace("_", " ").split()
        firsts = [next((c for c in word if c.isalpha()), "") for word in words]
        return "".join(c for c in firsts if c)[:2].upper() or "?"

    def refresh_search_text(self):
        self.search_text = build_search_text(
            self.id, self.username, self.primary_email, self.primary_phone, self.name
        )

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)
