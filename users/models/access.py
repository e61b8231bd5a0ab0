"""Who may do what: API resources and their permissions (scopes), roles, organizations.

Every uniqueness rule is a database constraint; the service layer (users.access) checks
first to give a clear message and relies on the constraint when two requests race. That only
roles of type User reach users is checked by the service and by a database trigger (migration
0003_access), because a CHECK constraint cannot look at another table.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from users.models.fields import id_field, link

NAME_MAX = 128
DESCRIPTION_MAX = 256


class ApiResource(models.Model):
    """An API that accepts our access tokens, known by its indicator (the token audience)."""

    id = id_field()
    name = models.CharField(max_length=NAME_MAX)
    indicator = models.CharField("API identifier", max_length=256)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "API resource"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator"],
                name="api_resource_indicator_unique",
                violation_error_code="unique",
            ),
        ]

    def __str__(self):
        return self.name


class Scope(models.Model):
    """A permission of an API resource, e.g. `read:orders`."""

    id = id_field()
    resource = models.ForeignKey(ApiResource, on_delete=models.CASCADE, related_name="scopes")
    name = models.CharField(max_length=NAME_MAX)
    description = models.CharField(max_length=DESCRIPTION_MAX, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "permission"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "name"],
                name="scope_name_unique_per_resource",
                violation_error_code="unique",
            ),
        ]

    def __str__(self):
        return self.name


class Role(models.Model):
    """A named set of permissions; `User` roles go to users, `MachineToMachine` roles to M2M apps."""

    class Type(models.TextChoices):
        USER = "User", "User"
        MACHINE_TO_MACHINE = "MachineToMachine", "Machine-to-machine"

    id = id_field()
    name = models.CharField(max_length=NAME_MAX)
    description = models.CharField(max_length=DESCRIPTION_MAX, blank=True, default="")
    type = models.CharField(max_length=32, choices=Type.choices, default=Type.USER)
    scopes = models.ManyToManyField(Scope, related_name="roles", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="role_name_unique_ci", violation_error_code="unique"
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=["User", "MachineToMachine"]), name="role_type_valid"
            ),
        ]

    def __str__(self):
        return self.name


class UserRole(models.Model):
    """A role given to a user; one row per (user, role) whatever happens concurrently."""

    id = id_field()
    # The unique (user, role) index serves "the user's roles"; role_id has its own index for
    # "the role's users" (a role may have a million).
    user = link(settings.AUTH_USER_MODEL, "role_assignments")
    role = link(Role, "assignments")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "user role"
        # Declared here, not by db_index, so PostgreSQL gets no extra varchar_pattern_ops index.
        indexes = [models.Index(fields=["role"], name="user_role_role")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], name="user_role_unique", violation_error_code="unique"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.role_id}"


class Organization(models.Model):
    """A group of users (a customer, a team) in which they hold organization roles."""

    id = id_field()
    name = models.CharField(max_length=NAME_MAX)
    description = models.CharField(max_length=DESCRIPTION_MAX, blank=True, default="")
    custom_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class OrganizationRole(models.Model):
    """A role a member holds inside an organization (the same set for every organization)."""

    id = id_field()
    name = models.CharField(max_length=NAME_MAX)
    description = models.CharField(max_length=DESCRIPTION_MAX, blank=True, default="")
    scopes = models.ManyToManyField(Scope, related_name="organization_roles", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "organization role"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organization_role_name_unique_ci",
                violation_error_code="unique",
            ),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's membership of an organization, with the organization roles they hold there."""

    id = id_field()
    user = link(settings.AUTH_USER_MODEL, "memberships")
    organization = link(Organization, "memberships")
    roles = models.ManyToManyField(OrganizationRole, related_name="memberships", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organization"], name="membership_organization")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                name="membership_unique",
                violation_error_code="unique",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.organization_id}"
