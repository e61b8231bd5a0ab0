"""The verbs on roles, and on a user's roles (assigned under a lock on the user row)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.recorder import Origin, record
from users.access.common import (
    NAMED,
    clean_fields,
    create_named,
    existing_scopes,
    field_error,
    given,
    insert_pairs,
    name_ref,
    roles_added,
    scope_refs,
    update_named,
)
from users.models import (
    Role,
    Scope,
    User,
    UserRole,
)
from users.services import guard_staff_target, lock_for_change


def create_role(
    *,
    origin: Origin,
    name: str,
    description: str = "",
    type: str = Role.Type.USER,
    scopes: Iterable[Scope] = (),
) -> Role:
    """Create a role (name unique, case-insensitively) with the permissions it grants."""
    values = clean_fields({"name": name, "description": description}, NAMED)
    if type not in Role.Type.values:
        raise field_error("type", "Choose User or Machine-to-machine.")
    scopes = existing_scopes(scopes)
    return create_named(
        Role(type=type, **values),
        "Role.Create",
        origin=origin,
        scopes=scopes,
        payload={**values, "type": type},
    )


def update_role(
    role: Role,
    *,
    origin: Origin,
    name: str | None = None,
    description: str | None = None,
    scopes: Iterable[Scope] | None = None,
) -> Role:
    """Rename, describe or change the permissions of a role (those given); its type is fixed."""
    values = given(name=name, description=description)
    return update_named(Role, role, "Role.Update", origin=origin, values=values, scopes=scopes)


def delete_role(role: Role, *, origin: Origin) -> int:
    """Delete a role; it is taken from every user who has it. Returns how many had it."""
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        user_count = role.assignments.count()
        payload = {
            "role": {"id": role.pk, "name": role.name, "type": role.type},
            "scopes": scope_refs(role.scopes.select_related("resource")),
            "removedFromUsers": user_count,
        }
        role.delete()  # user_role rows go in one DELETE (nothing hangs off them)
        record("Role.Delete", origin=origin, payload=payload)
    return user_count


# --- A user's roles ----------------------------------------------------------------------


def assign_roles(user: User, roles: Iterable[Role], *, origin: Origin) -> list[Role]:
    """Give the user these roles; those they have already are skipped. Returns the new ones.

    Only `User` roles may be given (a database trigger holds the rule too). The user row is
    locked, so twenty concurrent requests for one role add one row and write one audit entry.
    """
    roles = list(dict.fromkeys(roles))
    for role in roles:
        if role.type != Role.Type.USER:
            raise ValidationError(
                f"“{role.name}” is a machine-to-machine role: only user roles can be given to users.",
                code="invalid_role_type",
            )
    if not roles:
        return []
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        have = set(UserRole.objects.filter(user=user).values_list("role_id", flat=True))
        new = [r for r in roles if r.pk not in have]
        if not new:
            return []
        # A role deleted, or made machine-to-machine, since the form was opened: stale.
        insert_pairs(
            [UserRole(user=user, role=r) for r in new],
            stale="One of these roles was just deleted or changed. Reload and try again.",
        )
        record("User.Roles.Assign", origin=origin, user=user, payload=roles_added(new, have))
    return new


def remove_role(user: User, role: Role, *, origin: Origin) -> bool:
    """Take a role from the user; False if they did not have it."""
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        deleted, _ = UserRole.objects.filter(user=user, role=role).delete()
        if not deleted:
            return False
        record("User.Roles.Remove", origin=origin, user=user, payload={"removed": name_ref(role)})
    return True
