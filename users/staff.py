"""The verbs on console staff ("members"): who may sign in to the console and with which role.

Three roles, the Django way: **admin** is `is_superuser` (everything, members included); **editor**
and **viewer** are staff in the "Editor" / "Viewer" group, whose permissions a data migration set
(users/migrations/0005_staff_roles.py; `role_group()` recreates a missing group with the same ones).
A member's role is read from those flags, never stored twice.

Like users.services, each verb is atomic, does nothing when there is nothing to do and writes one
audit row with the old and new role. Guards: only a superuser (or the system, for the management
command) manages members; nobody changes their own role or removes their own access; the last
active admin stays an admin. The superuser rows are locked (in id order, before the member's row)
while that is checked, so two admins demoting each other at once cannot leave nobody in charge.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from audit.recorder import Origin, record
from users import services
from users.errors import GuardError, field_error
from users.models import User
from users.sessions import end_sessions

ADMIN, EDITOR, VIEWER = "admin", "editor", "viewer"
ROLES = (VIEWER, EDITOR, ADMIN)
ROLE_LABELS = {ADMIN: "Admin", EDITOR: "Editor", VIEWER: "Viewer"}
ROLE_DESCRIPTIONS = {
    ADMIN: "everything, console members included",
    EDITOR: "manage users, their roles and organizations",
    VIEWER: "read-only",
}
GROUP_NAMES = {EDITOR: "Editor", VIEWER: "Viewer"}

# What each group may do, as (app label, codename). Frozen in the data migration too.
_VIEW_MODELS = {
    "users": (
        "user",
        "identity",
        "ssoidentity",
        "mfafactor",
        "personalaccesstoken",
        "apiresource",
        "scope",
        "role",
        "userrole",
        "organization",
        "organizationrole",
        "membership",
        "application",
    ),
    "audit": ("log",),
}
VIEWER_PERMISSIONS = tuple(
    (app, f"view_{model}") for app, models in _VIEW_MODELS.items() for model in models
)
EDITOR_PERMISSIONS = VIEWER_PERMISSIONS + tuple(
    ("users", f"{verb}_{model}")
    for model in ("user", "userrole", "membership")
    for verb in ("add", "change", "delete")
)
GROUP_PERMISSIONS = {VIEWER: VIEWER_PERMISSIONS, EDITOR: EDITOR_PERMISSIONS}


def role_group(role: str) -> Group:
    """The group behind `role` (editor, viewer); created with its permissions if it is missing."""
    group, created = Group.objects.get_or_create(name=GROUP_NAMES[role])
    if created:
        query = Q(pk__in=[])
        for app, codename in GROUP_PERMISSIONS[role]:
            query |= Q(content_type__app_label=app, codename=codename)
        group.permissions.set(Permission.objects.filter(query))
    return group


def role_of(user: User) -> str | None:
    """admin, editor or viewer; None for non-staff and for staff whose powers fit no role."""
    if not user.is_staff and not user.is_superuser:
        return None
    if user.is_superuser:
        return ADMIN
    # Read from a prefetch when the caller made one (the member list), else one query.
    names = {g.name for g in user.groups.all()}
    if GROUP_NAMES[EDITOR] in names:
        return EDITOR
    if GROUP_NAMES[VIEWER] in names:
        return VIEWER
    return None


def list_staff():
    """Everyone who may sign in to the console, admins first, then by name."""
    return (
        User.objects.filter(Q(is_staff=True) | Q(is_superuser=True))
        .prefetch_related("groups")
        .order_by("-is_superuser", Lower("name"), "id")
    )


# --- Guards and locks --------------------------------------------------------------------


def _guard_may_manage(origin: Origin) -> None:
    actor = origin.actor
    if actor is not None and not actor.is_superuser:
        raise GuardError("Only an admin may manage console members.")


def _guard_not_self(origin: Origin, user: User, verb: str) -> None:
    if origin.actor is not None and origin.actor.pk == user.pk:
        raise GuardError(f"You cannot {verb}.")


def _lock_admins(origin: Origin) -> list[str]:
    """Lock every superuser row (in id order); return the ids of the active ones. The acting
    admin must still be one of them: a request that began before its actor was demoted acts
    no more."""
    admins = list(
        User.objects.select_for_update()
        .filter(is_superuser=True)
        .order_by("pk")
        .values_list("pk", "is_suspended")
    )
    active = [pk for pk, suspended in admins if not suspended]
    if origin.actor is not None and origin.actor.pk not in active:
        raise GuardError("Only an admin may manage console members.")
    return active


def _lock(user: User, origin: Origin) -> tuple[User, list[str]]:
    """The admins' rows, then the member's: the member as it is now, and the active admins."""
    active = _lock_admins(origin)
    return User.objects.select_for_update().get(pk=user.pk), active


def _guard_last_admin(user: User, active_admins: list[str], verb: str) -> None:
    if user.is_superuser and not [pk for pk in active_admins if pk != user.pk]:
        raise GuardError(f"You cannot {verb} the last active admin.")


def _set_role(user: User, role: str) -> None:
    """Make `role` the member's only source of power: flags, group, no stray permissions."""
    user.is_staff = True
    user.is_superuser = role == ADMIN
    if user.staff_since is None:
        user.staff_since = timezone.now()
    user.save(update_fields=["is_staff", "is_superuser", "staff_since", "updated_at"])
    user.user_permissions.clear()
    if role == ADMIN:
        user.groups.clear()
    else:
        user.groups.set([role_group(role)])


def _add_member(user: User, role: str, *, origin: Origin, new_account: bool) -> None:
    _set_role(user, role)
    _record_role("Staff.Add", user, None, role, origin=origin, newAccount=new_account)


def _record_role(action: str, user: User, old, new, *, origin: Origin, **more) -> None:
    """The audit row of a change of console role (None: no console access)."""
    record(action, origin=origin, user=user, payload={"role": {"old": old, "new": new}, **more})


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise field_error("role", "Choose admin, editor or viewer.", "invalid_role")
    return role


# --- The verbs ------------------------------------------------------------------------------


def create_staff(
    *, origin: Origin, role: str, primary_email=None, username=None, name=""
) -> services.CreatedUser:
    """A new account that signs in to the console with `role` and a generated password (shown
    once: `CreatedUser.password`)."""
    _guard_may_manage(origin)
    _check_role(role)
    if not (primary_email or "").strip() and not (username or "").strip():
        raise ValidationError(
            "Enter an email or a username: members sign in with one of them.",
            code="identifier_required",
        )
    with transaction.atomic():
        _lock_admins(origin)
        created = services.create_user(
            origin=origin,
            primary_email=primary_email,
            username=username,
            name=name,
            generate=True,
            is_staff=True,
            is_superuser=role == ADMIN,
        )
        _add_member(created.user, role, origin=origin, new_account=True)
    return created


def find_by_identifier(identifier: str) -> User | None:
    """The user whose username or email is `identifier` (case-insensitive), if any."""
    identifier = (identifier or "").strip().lower()
    if not identifier:
        return None
    query = User.objects.annotate(_username=Lower("username"), _email=Lower("primary_email"))
    return query.filter(Q(_username=identifier) | Q(_email=identifier)).first()


def grant_staff(identifier: str, *, origin: Origin, role: str) -> User:
    """Give an existing user console access with `role`; they sign in with their own password."""
    _guard_may_manage(origin)
    _check_role(role)
    user = find_by_identifier(identifier)
    if user is None:
        raise field_error("identifier", "No user has this email or username.", "not_found")
    with transaction.atomic():
        user, _ = _lock(user, origin)
        if user.is_staff or user.is_superuser:
            raise field_error(
                "identifier",
                "This user is a console member already: change their role instead.",
                "already_staff",
            )
        _add_member(user, role, origin=origin, new_account=False)
    return user


def change_staff_role(user: User, role: str, *, origin: Origin) -> User:
    """Make a member an admin, editor or viewer."""
    _guard_may_manage(origin)
    _check_role(role)
    with transaction.atomic():
        user, active_admins = _lock(user, origin)
        if not (user.is_staff or user.is_superuser):
            raise GuardError("This user is not a console member.")
        old = role_of(user)
        if old == role:
            return user
        _guard_not_self(origin, user, "change your own role")
        _guard_last_admin(user, active_admins, "demote")
        _set_role(user, role)
        _record_role("Staff.Role.Update", user, old, role, origin=origin)
    return user


def remove_staff_access(user: User, *, origin: Origin) -> User:
    """The member can no longer sign in to the console; their open sessions end now."""
    _guard_may_manage(origin)
    with transaction.atomic():
        user, active_admins = _lock(user, origin)
        if not (user.is_staff or user.is_superuser):
            return user
        _guard_not_self(origin, user, "remove your own access")
        _guard_last_admin(user, active_admins, "remove")
        old = role_of(user)
        user.is_staff = False
        user.is_superuser = False
        user.staff_since = None
        user.save(update_fields=["is_staff", "is_superuser", "staff_since", "updated_at"])
        user.groups.clear()
        user.user_permissions.clear()
        # In the transaction: the access and the sessions go together or not at all.
        end_sessions(user)
        _record_role("Staff.Remove", user, old, None, origin=origin)
    return user
