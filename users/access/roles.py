"""The verbs on roles, and on a user's roles (assigned under a lock on the user row)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from audit.recorder import Origin, record, record_many
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
from users.models import Role, Scope, User, UserRole
from users.services import BatchOutcome, guard_staff_target, lock_batch, lock_for_change


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


def _check_user_role(role: Role) -> None:
    if role.type != Role.Type.USER:
        raise ValidationError(
            f"“{role.name}” is a machine-to-machine role: only user roles can be given to users.",
            code="invalid_role_type",
        )


def assign_roles(user: User, roles: Iterable[Role], *, origin: Origin) -> list[Role]:
    """Give the user these roles; those they have already are skipped. Returns the new ones.

    Only `User` roles may be given (a database trigger holds the rule too). The user row is
    locked, so twenty concurrent requests for one role add one row and write one audit entry.
    """
    roles = list(dict.fromkeys(roles))
    for role in roles:
        _check_user_role(role)
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


# --- The same on a batch of users (a bulk job's batch; see services.lock_batch) ------------------


def assign_role_to_users(user_ids, role: Role, *, origin: Origin) -> BatchOutcome:
    """assign_roles(user, [role]) for each of these users, in one transaction of a few statements:
    the same guards, rows and audit rows (with each user's role count) as one call per user."""

    def one(user, *, origin):
        return None if assign_roles(user, [role], origin=origin) else "Already has this role."

    try:
        _check_user_role(role)
    except ValidationError as error:  # what the single verb says to each of them
        reason = " ".join(error.messages)
        return BatchOutcome(done=[], skipped=dict.fromkeys(user_ids, reason))
    with transaction.atomic():
        outcome, plain = lock_batch(user_ids, origin, single=one)
        # Each user's role count and whether the role is among them: one read of their roles.
        rows = (
            UserRole.objects.filter(user__in=plain)
            .values("user_id")
            .annotate(n=Count("id"), has=Count("id", filter=Q(role=role)))
            .values_list("user_id", "n", "has")
        )
        counts, has_it = {}, set()
        for user_id, n, has in rows:
            counts[user_id] = n
            if has:
                has_it.add(user_id)
        plain = outcome.skip(plain, lambda user: user.pk in has_it and "Already has this role.")
        if plain:
            UserRole.objects.bulk_create([UserRole(user=user, role=role) for user in plain])
            added = [{**name_ref(role), "type": role.type}]
            record_many(
                "User.Roles.Assign",
                origin=origin,
                users=plain,
                payload=lambda user: {
                    "added": added,
                    "roleCount": {"old": counts.get(user.pk, 0), "new": counts.get(user.pk, 0) + 1},
                },
            )
            outcome.done.extend(user.pk for user in plain)
    return outcome


def remove_role_from_users(user_ids, role: Role, *, origin: Origin) -> BatchOutcome:
    """remove_role(user, role) for each of these users, set-based (see assign_role_to_users)."""

    def one(user, *, origin):
        return None if remove_role(user, role, origin=origin) else "Does not have this role."

    with transaction.atomic():
        outcome, plain = lock_batch(user_ids, origin, single=one)
        assignments = UserRole.objects.filter(user__in=plain, role=role)
        has_it = set(assignments.values_list("user_id", flat=True))
        plain = outcome.skip(
            plain, lambda user: user.pk not in has_it and "Does not have this role."
        )
        if plain:
            assignments.filter(user__in=plain).delete()
            record_many(
                "User.Roles.Remove", origin=origin, users=plain, payload={"removed": name_ref(role)}
            )
            outcome.done.extend(user.pk for user in plain)
    return outcome
