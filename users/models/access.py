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

from users.models.fields import id_field, link, unique

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
        constraints = [unique(fields=["indicator"], name="api_resource_indicator_unique")]

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
        constraints = [unique(fields=["resource", "name"], name="scope_name_unique_per_resource")]

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
            unique(Lower("name"), name="role_name_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(type__in=["User", "MachineToMachine"]), name="role_type_valid"
            ),
        ]

    def __str__(self):
        return self.name


class Pair(models.Model):
    """A row that gives one thing to another (a user's role, a membership, an application's
    role): an id, when, and the two `link`s the model declares, holder first; one row per pair
    by the model's unique constraint, whatever happens concurrently."""

    id = id_field()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        holder, held = (field.attname for field in self._meta.fields if field.many_to_one)
        return f"{getattr(self, holder)} · {getattr(self, held)}"


class UserRole(Pair):
    """A role given to a user."""

    # The unique (user, role) index serves "the user's roles"; role_id has its own index for
    # "the role's users" (a role may have a million).
    user = link(settings.AUTH_USER_MODEL, "role_assignments")
    role = link(Role, "assignments")

    class Meta:
        verbose_name = "user role"
        # Declared here, not by db_index, so PostgreSQL gets no extra varchar_pattern_ops index.
        indexes = [models.Index(fields=["role"], name="user_role_role")]
        constraints = [unique(fields=["user", "role"], name="user_role_unique")]


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
        constraints = [unique(Lower("name"), name="organization_role_name_unique_ci")]

    def __str__(self):
        return self.name


class Membership(Pair):
    """A user's membership of an organization, with the organization roles they hold there."""

    user = link(settings.AUTH_USER_MODEL, "memberships")
    organization = link(Organization, "memberships")
    roles = models.ManyToManyField(OrganizationRole, related_name="memberships", blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization"], name="membership_organization")]
        constraints = [unique(fields=["user", "organization"], name="membership_unique")]
