"""The verbs of the directory. Every change to a user goes through one of these functions: it
validates, owns the transaction and writes the audit row, so the console and the API agree.
"""

import json
import secrets
import string
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import Q
from django.db.models.deletion import Collector
from django.db.models.functions import Lower
from django.utils import timezone

from audit.recorder import Origin, field_changes, record, record_many
from users import mfa, profile_rules, tokens
from users.errors import ConfirmationRequired, GuardError, MfaRefused, StaleError, field_error
from users.identifiers import normalize_email, normalize_phone, normalize_username
from users.models import Identity, MfaFactor, PersonalAccessToken, User
from users.sessions import end_sessions, end_sessions_of
from users.signals import sessions_must_end, users_sessions_must_end

# No 0/O, 1/l/I: a generated password is read off a screen and typed elsewhere.
PASSWORD_ALPHABET = "".join(
    c for c in string.ascii_letters + string.digits + "-_.!@#%+=" if c not in "0O1lI"
)
GENERATED_PASSWORD_LENGTH = 20
IDENTIFIER_FIELDS = ("username", "primary_email", "primary_phone")
_NORMALIZERS = {
    "username": normalize_username,
    "primary_email": normalize_email,
    "primary_phone": normalize_phone,
}
_TAKEN_MESSAGES = {
    "username": "This username is already in use.",
    "primary_email": "This email is already in use.",
    "primary_phone": "This phone number is already in use.",
}


def generate_password(length: int = GENERATED_PASSWORD_LENGTH) -> str:
    """A random password with at least one lower-case letter, upper-case letter and digit."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


def normalize_identifiers(values: dict) -> dict:
    """Normalise the identifiers present in `values`; raise one ValidationError naming each field."""
    cleaned, errors = {}, {}
    for field, normalize in _NORMALIZERS.items():
        if field not in values:
            continue
        try:
            cleaned[field] = normalize(values[field])
        except ValidationError as error:
            errors[field] = [error]
    if errors:
        raise ValidationError(errors)
    return cleaned


def find_identifier_conflicts(identifiers: dict, *, exclude_id: str | None = None) -> dict:
    """The identifiers already used by another user, as field -> ValidationError(code="unique")."""
    conflicts = {}
    for field, value in identifiers.items():
        if not value:
            continue
        if field == "primary_phone":
            taken = User.objects.filter(primary_phone=value)
        else:
            taken = User.objects.annotate(_v=Lower(field)).filter(_v=value.lower())
        if exclude_id:
            taken = taken.exclude(pk=exclude_id)
        if taken.exists():
            conflicts[field] = [ValidationError(_TAKEN_MESSAGES[field], code="unique")]
    return conflicts


def validate_typed_password(password: str, user: User) -> None:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS), with the user as context so a
    password like their username or email is refused; errors are on the `password` field."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None


@dataclass(frozen=True)
class CreatedUser:
    user: User
    # The generated password, for the one response that shows it; never stored anywhere.
    password: str | None


def create_user(
    *,
    origin: Origin,
    username=None,
    primary_email=None,
    primary_phone=None,
    name="",
    password: str | None = None,
    generate: bool = False,
    require_identifier: bool = True,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> CreatedUser:
    """Create a user with at least one identifier; generate a password if asked to."""
    identifiers = normalize_identifiers(
        {"username": username, "primary_email": primary_email, "primary_phone": primary_phone}
    )
    _check_new_identifiers(identifiers, required=require_identifier)
    name = (name or "").strip()
    if len(name) > 128:
        raise ValidationError(
            {"name": [ValidationError("Use at most 128 characters.", "too_long")]}
        )
    user = User(
        name=name, is_staff=is_staff or is_superuser, is_superuser=is_superuser, **identifiers
    )
    if generate:
        password = generate_password()  # ours and strong: the validators are for typed ones
    elif password:
        validate_typed_password(password, user)
    if password:
        user.set_password(password)
        user.password_updated_at = timezone.now()
    else:
        user.set_unusable_password()
    _insert_user(
        user,
        identifiers,
        origin=origin,
        hasPassword=bool(password),
        isStaff=user.is_staff,
        isSuperuser=user.is_superuser,
    )
    return CreatedUser(user=user, password=password if generate else None)


def _check_new_identifiers(identifiers: dict, *, required=True) -> None:
    """A new user's (normalised) identifiers: at least one (when `required`), none in use."""
    if required and not any(identifiers.values()):
        raise ValidationError(
            "Enter at least one of email, phone or username.", code="identifier_required"
        )
    if conflicts := find_identifier_conflicts(identifiers):
        raise ValidationError(conflicts)


def _insert_user(user: User, identifiers: dict, *, origin: Origin, **payload) -> None:
    """Save a new user and audit it (`User.Create`: identifiers, name and `payload`)."""
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            record(
                "User.Create",
                origin=origin,
                user=user,
                payload={
                    "username": user.username,
                    "primaryEmail": user.primary_email,
                    "primaryPhone": user.primary_phone,
                    "name": user.name,
                    **payload,
                },
            )
    except IntegrityError:
        # A concurrent create took an identifier between our check and our insert.
        if conflicts := find_identifier_conflicts(identifiers):
            raise ValidationError(conflicts) from None
        raise


# --- Guards shared by the verbs below -------------------------------------------------------


def guard_staff_target(actor, user):
    """Only a superuser changes a staff account (checked on the actor as locked, not as the
    request found them)."""
    if actor is not None and user.is_staff and not actor.is_superuser:
        raise GuardError("Only a superuser may change a staff account.")


API_CHANNEL = "ManagementApi"


def guard_api_target(origin: Origin, user):
    """A Management API client never changes a console admin account (SECURITY.md: only a
    superuser changes a staff account, in the console). Checked by lock_for_change on the row as
    locked, so every verb holds it, a no-op included, whichever route called it."""
    if origin.channel == API_CHANNEL and user.is_staff:
        raise GuardError(
            "This is a console admin account: only a superuser may change it, in the console."
        )


def _guard_not_self(actor, user, verb: str):
    if actor is not None and actor.pk == user.pk:
        raise GuardError(f"You cannot {verb} your own account.")


def _guard_last_superuser(user, verb: str):
    """Refuse to take away the last active superuser. Sound only under `lock_for_change(...,
    superusers=True)`: the other superusers' rows are locked, so none can be suspended meanwhile."""
    if not user.is_superuser:
        return
    others = User.objects.filter(is_superuser=True, is_suspended=False).exclude(pk=user.pk)
    if not others.exists():
        raise GuardError(f"You cannot {verb} the last active superuser.")


class Locked(NamedTuple):
    user: User
    actor: User | None  # the acting admin as they are now, not as the request found them


def lock_for_change(
    user: User, origin: Origin, expected_updated_at=None, *, superusers=False
) -> Locked:
    """Re-read the user and the acting admin under row locks; refuse if the form is stale or the
    admin may no longer act.

    All rows are locked by one statement in primary-key order, so two admins acting on each other
    queue one behind the other instead of crossing (a deadlock on PostgreSQL); SQLite serialises
    writers anyway (IMMEDIATE transactions). The admin was checked by the middleware before the
    transaction began: checking again under the lock is what makes "suspend each other" leave one
    of them standing. `superusers=True` also locks every active superuser, for the last-superuser
    guard.
    """
    actor = origin.actor
    wanted = Q(pk=user.pk)
    if actor is not None:
        wanted |= Q(pk=actor.pk)
    if superusers:
        wanted |= Q(is_superuser=True, is_suspended=False)
    rows = {row.pk: row for row in User.objects.select_for_update().filter(wanted).order_by("pk")}
    locked_actor = None
    if actor is not None:
        locked_actor = _check_locked_actor(actor, rows.get(actor.pk))
    if user.pk not in rows:
        raise StaleError(
            "This user was deleted by someone else since you opened the page.",
            code="user.deleted",
        )
    locked = rows[user.pk]
    guard_api_target(origin, locked)
    if expected_updated_at is not None and locked.updated_at != expected_updated_at:
        raise StaleError(
            "This user was changed by someone else since you opened the page. "
            "Reload to see the current values, then make your change again."
        )
    return Locked(user=locked, actor=locked_actor)


def _check_locked_actor(actor, locked_actor):
    """The acting admin as locked: refused if gone, suspended, or an admin no longer (an end
    user acting on themselves stays non-staff)."""
    if (
        locked_actor is None
        or not locked_actor.is_active
        or (actor.is_staff and not locked_actor.is_staff)
    ):
        raise StaleError(
            "Your own account was suspended or changed while you were acting, so nothing was done.",
            code="actor.changed",
        )
    return locked_actor


def has_sign_in_method(user: User, **overrides) -> bool:
    """Whether the user could still sign in: an identifier with a password, or another identity.

    `overrides` describe a pending change: identifier values, or `without_identity=<id>`.
    """
    identifiers = [overrides.get(f, getattr(user, f)) for f in IDENTIFIER_FIELDS]
    if any(identifiers) and user.has_usable_password():
        return True
    identities = user.identities.exclude(pk=overrides.get("without_identity"))
    return identities.exists() or user.sso_identities.exists()


def _end_sessions_and_tokens(user: User) -> None:
    """End what the user is signed in with: console sessions and OAuth tokens.

    Runs inside the caller's transaction rather than in on_commit: sessions and tokens are rows
    in the same database, so the change and the sign-out commit or roll back together, and there
    is no moment (or crash after commit) in which a suspended user still holds a live session.
    Every path also re-checks the user on use, so a revocation that did not happen still fails
    closed.
    """
    _end_console_sessions_and_tokens([user.pk])
    sessions_must_end.send(sender=User, user=user)  # signin ends the end-user sessions it tracks


def _end_console_sessions_and_tokens(user_ids) -> None:
    """Console sessions, OAuth refresh tokens (revoked) and access tokens (deleted) of these
    users: a statement per kind, whether one user or a batch of them."""
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    end_sessions_of(user_ids)
    get_refresh_token_model().objects.filter(user__in=user_ids, revoked__isnull=True).update(
        revoked=timezone.now()
    )
    get_access_token_model().objects.filter(user__in=user_ids).delete()


# --- Identifiers, profile ----------------------------------------------------------------


def _apply(user: User, changes: dict) -> None:
    for field_name, change in changes.items():
        setattr(user, field_name, change["new"])
    user.save(update_fields=[*changes, "updated_at"])


def update_identifiers(
    user: User,
    *,
    origin: Origin,
    expected_updated_at=None,
    confirm_lockout: bool = False,
    **values,
) -> User:
    """Change email / phone / username (those given); refuse duplicates and silent lock-outs."""
    identifiers = normalize_identifiers(values)
    with transaction.atomic():
        user, actor = lock_for_change(user, origin, expected_updated_at)
        guard_staff_target(actor, user)
        changes = field_changes(user, identifiers)
        if not changes:
            return user
        if conflicts := find_identifier_conflicts(identifiers, exclude_id=user.pk):
            raise ValidationError(conflicts)
        if not confirm_lockout and not has_sign_in_method(user, **identifiers):
            raise ConfirmationRequired(
                "With no email, phone or username this user has no way left to sign in. "
                "Confirm to save anyway."
            )
        try:
            with transaction.atomic():
                _apply(user, changes)
        except IntegrityError:
            if conflicts := find_identifier_conflicts(identifiers, exclude_id=user.pk):
                raise ValidationError(conflicts) from None
            raise
        record("User.Identifiers.Update", origin=origin, user=user, payload={"changes": changes})
    return user


def update_profile(user: User, *, origin: Origin, expected_updated_at=None, **values) -> User:
    """Change name, avatar, custom data and the OIDC profile claims (those given)."""
    cleaned = profile_rules.clean_profile_values(values)
    with transaction.atomic():
        user, actor = lock_for_change(user, origin, expected_updated_at)
        guard_staff_target(actor, user)
        changes = field_changes(user, cleaned)
        if not changes:
            return user
        _apply(user, changes)
        record("User.Profile.Update", origin=origin, user=user, payload={"changes": changes})
    return user


# --- Password, suspension, deletion ------------------------------------------------------


def reset_password(user: User, *, origin: Origin, require_change: bool = False) -> str:
    """Give the user a new generated password (returned once) and end their sessions and tokens."""
    password = generate_password()
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        _store_password(user, password, require_change=require_change)
        record(
            "User.Password.Reset",
            origin=origin,
            user=user,
            payload={"requireChangeAtNextSignIn": require_change},
        )
    return password


def set_password(user: User, *, origin: Origin, password: str) -> User:
    """Set a password someone typed (an admin, the Management API): it must pass Django's
    validators, with the user as context; then the user's sessions and tokens end."""
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        validate_typed_password(password, user)
        _store_password(user, password, require_change=False)
        record("User.Password.Update", origin=origin, user=user)
    return user


def _store_password(user: User, password: str, *, require_change: bool) -> None:
    user.set_password(password)
    user.password_updated_at = timezone.now()
    user.is_password_expired = require_change
    user.save(update_fields=["password", "password_updated_at", "is_password_expired"])
    _end_sessions_and_tokens(user)


def suspend_user(user: User, *, origin: Origin) -> User:
    """Suspend: every sign-in path refuses the user, and their sessions and tokens end now."""
    with transaction.atomic():
        user, actor = lock_for_change(user, origin, superusers=user.is_superuser)
        if user.is_suspended:
            return user
        _guard_not_self(actor, user, "suspend")
        guard_staff_target(actor, user)
        _guard_last_superuser(user, "suspend")
        user.is_suspended = True
        user.save(update_fields=["is_suspended", "updated_at"])
        _end_sessions_and_tokens(user)
        record("User.Suspend", origin=origin, user=user)
    return user


def reactivate_user(user: User, *, origin: Origin) -> User:
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        if not user.is_suspended:
            return user
        guard_staff_target(actor, user)
        user.is_suspended = False
        user.save(update_fields=["is_suspended", "updated_at"])
        record("User.Reactivate", origin=origin, user=user)
    return user


# --- The same verbs on a batch of users (a bulk job's batch, users/bulk.py) -------------------


@dataclass
class BatchOutcome:
    """What a set-based verb did: the users changed, and those skipped with the reason."""

    done: list[str]
    skipped: dict[str, str]

    def skip(self, users, reason) -> list:
        """Report as skipped the users `reason(user)` names a reason for; return the others."""
        left = []
        for user in users:
            if why := reason(user):
                self.skipped[user.pk] = why
            else:
                left.append(user)
        return left


def suspend_users(user_ids, *, origin: Origin) -> BatchOutcome:
    """suspend_user for each of these users, as one transaction of a few statements: the same
    guards, changes, ended sessions and tokens, and audit rows as one call per user."""

    def one(user, *, origin):
        return "Already suspended." if user.is_suspended else suspend_user(user, origin=origin)

    with transaction.atomic():
        outcome, plain = lock_batch(user_ids, origin, single=one)
        plain = outcome.skip(plain, lambda user: user.is_suspended and "Already suspended.")
        if plain:
            ids = _update_batch(plain, is_suspended=True)
            _end_console_sessions_and_tokens(ids)
            users_sessions_must_end.send(sender=User, user_ids=ids, reason="suspended")
            record_many("User.Suspend", origin=origin, users=plain)
            outcome.done.extend(ids)
    return outcome


def reactivate_users(user_ids, *, origin: Origin) -> BatchOutcome:
    """reactivate_user for each of these users, set-based (see suspend_users)."""

    def one(user, *, origin):
        return reactivate_user(user, origin=origin) if user.is_suspended else "Not suspended."

    with transaction.atomic():
        outcome, plain = lock_batch(user_ids, origin, single=one)
        plain = outcome.skip(plain, lambda user: not user.is_suspended and "Not suspended.")
        if plain:
            outcome.done.extend(_update_batch(plain, is_suspended=False))
            record_many("User.Reactivate", origin=origin, users=plain)
    return outcome


def expire_passwords(user_ids, *, origin: Origin) -> BatchOutcome:
    """set_password_expired(expired=True) for each of these users, set-based."""
    already = "Password already expired."

    def one(user, *, origin):
        if user.is_password_expired:
            return already
        return set_password_expired(user, origin=origin, expired=True)

    with transaction.atomic():
        outcome, plain = lock_batch(user_ids, origin, single=one)
        plain = outcome.skip(plain, lambda user: user.is_password_expired and already)
        if plain:
            outcome.done.extend(_update_batch(plain, is_password_expired=True))
            record_many(
                "User.Password.Expire", origin=origin, users=plain, payload={"isExpired": True}
            )
    return outcome


def delete_users(user_ids, *, origin: Origin) -> BatchOutcome:
    """delete_user for each of these users, set-based: the same guards, the same audit rows
    (each with its user's snapshot), their console sessions ended and every row that belongs to
    them deleted (Django's collector on the batch: a statement per related table, not per user)."""
    with transaction.atomic():
        outcome, plain = lock_batch(user_ids, origin, single=delete_user)
        if plain:
            ids = [user.pk for user in plain]
            record_many(
                "User.Delete",
                origin=origin,
                users=plain,
                payload=lambda u: {"user": _snapshot(u)},
                departing=True,
            )
            end_sessions_of(ids)
            # Django's collector, as user.delete() uses it, on the users already locked and read.
            collector = Collector(using=router.db_for_write(User), origin=plain)
            collector.collect(plain)
            collector.delete()
            outcome.done.extend(ids)
    return outcome


def lock_batch(user_ids, origin: Origin, *, single) -> tuple[BatchOutcome, list[User]]:
    """The first step of a set-based verb, inside its transaction: lock the users and the acting
    admin (one SELECT ... FOR UPDATE, primary-key order), report those gone, and send the few a
    guard may refuse (staff, superusers, the admin themself) through `single(user, origin=)`, the
    single-user verb (it returns a reason to skip, or anything else when done). Returns the
    outcome so far and the plain users left, whom none of the guards is about, for the verb to
    change with a statement per kind of row."""
    outcome = BatchOutcome(done=[], skipped={})
    user_ids = list(dict.fromkeys(user_ids))
    actor = origin.actor
    wanted = Q(pk__in=user_ids) | (Q(pk=actor.pk) if actor is not None else Q())
    rows = {u.pk: u for u in User.objects.select_for_update().filter(wanted).order_by("pk")}
    if actor is not None:
        _check_locked_actor(actor, rows.get(actor.pk))
    plain = []
    for user_id in user_ids:
        user = rows.get(user_id)
        if user is None:
            outcome.skipped[user_id] = "The user no longer exists."
        elif user.is_staff or user.is_superuser or (actor is not None and actor.pk == user_id):
            _change_one_in_batch(user, origin, single, outcome)
        else:
            plain.append(user)
    return outcome, plain


def _update_batch(users, **values) -> list[str]:
    ids = [user.pk for user in users]
    User.objects.filter(pk__in=ids).update(**values, updated_at=timezone.now())
    return ids


def _change_one_in_batch(user, origin, single, outcome: BatchOutcome) -> None:
    """A user a guard may refuse: the single-user verb, in a savepoint of the batch."""
    try:
        with transaction.atomic():
            result = single(user, origin=origin)
    except StaleError as error:
        if error.code == "actor.changed":
            raise
        outcome.skipped[user.pk] = error.message
    except GuardError as error:
        outcome.skipped[user.pk] = error.message
    except ValidationError as error:
        outcome.skipped[user.pk] = " ".join(error.messages)
    else:
        if isinstance(result, str):
            outcome.skipped[user.pk] = result
        else:
            outcome.done.append(user.pk)


def delete_user(user: User, *, origin: Origin) -> dict:
    """Delete the user and all that belongs to them; the audit row keeps a snapshot."""
    with transaction.atomic():
        user, actor = lock_for_change(user, origin, superusers=user.is_superuser)
        _guard_not_self(actor, user, "delete")
        guard_staff_target(actor, user)
        _guard_last_superuser(user, "delete")
        snapshot = _snapshot(user)
        record("User.Delete", origin=origin, user=user, payload={"user": snapshot})
        end_sessions(user)
        user.delete()
    return snapshot


# What the `User.Delete` audit row keeps of a deleted user: payload key -> attribute.
_SNAPSHOT = {
    "id": "pk",
    "username": "username",
    "primaryEmail": "primary_email",
    "primaryPhone": "primary_phone",
    "name": "name",
}


def _snapshot(user: User) -> dict:
    return {key: getattr(user, attribute) for key, attribute in _SNAPSHOT.items()}


# --- Identities and MFA factors ----------------------------------------------------------


def remove_identity(identity: Identity, *, origin: Origin, confirm_lockout: bool = False) -> None:
    with transaction.atomic():
        user, actor = lock_for_change(identity.user, origin)
        guard_staff_target(actor, user)
        if not confirm_lockout and not has_sign_in_method(user, without_identity=identity.pk):
            raise ConfirmationRequired(
                "This is the user's last way to sign in: without it they cannot sign in at all. "
                "Confirm to remove it anyway."
            )
        payload = {"target": identity.target, "externalUserId": identity.external_user_id}
        identity.delete()
        record("User.Identity.Remove", origin=origin, user=user, payload=payload)


def remove_mfa_factor(factor: MfaFactor, *, origin: Origin) -> None:
    with transaction.atomic():
        user, actor = lock_for_change(factor.user, origin)
        guard_staff_target(actor, user)
        payload = {"id": factor.pk, "type": factor.type, "name": factor.name}
        factor.delete()
        record("User.MfaFactor.Remove", origin=origin, user=user, payload=payload)


@dataclass(frozen=True)
class EnrolledTotp:
    factor: MfaFactor
    # The secret, for the one response that shows it; stored only encrypted.
    secret: str


@dataclass(frozen=True)
class EnrolledBackupCodes:
    factor: MfaFactor
    # The codes, for the one response that shows them; stored only as keyed hashes.
    codes: list[str]


def enrol_totp(user: User, *, origin: Origin, secret: str | None = None) -> EnrolledTotp:
    """Add an authenticator-app factor (at most one per user), with the secret given (16-32
    upper-case base32 characters) or a generated one; the secret is stored encrypted."""
    if secret is not None and not mfa.is_valid_totp_secret(secret):
        raise MfaRefused(
            "The secret must be 16 to 32 characters of upper-case base32 (A-Z, 2-7).",
            code="user.totp_secret_invalid",
        )
    secret = secret if secret is not None else mfa.generate_totp_secret()
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        if user.mfa_factors.filter(type=MfaFactor.Type.TOTP).exists():
            raise MfaRefused(
                "The user already has an authenticator app.", code="user.totp_already_in_use"
            )
        factor = MfaFactor.objects.create(
            user=user, type=MfaFactor.Type.TOTP, secret=mfa.encrypt_secret(secret)
        )
        record(
            "User.MfaFactor.Create",
            origin=origin,
            user=user,
            payload={"id": factor.pk, "type": factor.type},
        )
    return EnrolledTotp(factor=factor, secret=secret)


def enrol_backup_codes(
    user: User, *, origin: Origin, codes: list[str] | None = None
) -> EnrolledBackupCodes:
    """Add a set of ten backup codes (given, or generated): only when the user has another
    factor and no set with an unused code. Each code is stored as a keyed hash (users.mfa)."""
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        factors = list(user.mfa_factors.all())
        backup_sets = [f for f in factors if f.type == MfaFactor.Type.BACKUP_CODE]
        if any(_unused_codes(f) for f in backup_sets):
            raise MfaRefused(
                "The user still has unused backup codes.", code="user.backup_code_already_in_use"
            )
        if len(backup_sets) == len(factors):
            raise MfaRefused(
                "Backup codes need another factor first (an authenticator app or a passkey).",
                code="session.mfa.backup_code_can_not_be_alone",
            )
        if codes is not None and not mfa.are_valid_backup_codes(codes):
            raise MfaRefused(
                "Backup codes must be ten different strings of ten hexadecimal characters.",
                code="user.wrong_backup_code_format",
            )
        codes = [c.lower() for c in codes] if codes is not None else mfa.generate_backup_codes()
        factor = MfaFactor(user=user, type=MfaFactor.Type.BACKUP_CODE)
        records = [{"hash": mfa.hash_backup_code(factor.pk, c), "usedAt": None} for c in codes]
        factor.secret = json.dumps(records)
        factor.details = {"remainCodes": len(records), "totalCodes": len(records)}
        factor.save(force_insert=True)
        record(
            "User.MfaFactor.Create",
            origin=origin,
            user=user,
            payload={"id": factor.pk, "type": factor.type},
        )
    return EnrolledBackupCodes(factor=factor, codes=codes)


def _backup_records(factor: MfaFactor) -> list[dict]:
    try:
        records = json.loads(factor.secret or "[]")
    except ValueError:
        return []
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def _unused_codes(factor: MfaFactor) -> int:
    if not factor.secret:  # a set recorded without its codes (imported): trust its count
        return int((factor.details or {}).get("remainCodes", 0))
    return sum(1 for r in _backup_records(factor) if not r.get("usedAt"))


def reencrypt_mfa_secrets(*, origin: Origin, batch_size: int = 500) -> dict:
    """Encrypt every stored TOTP secret again with the newest MFA key (key rotation, see
    docs/mfa.md): one audit row with the counts. A secret no configured key opens stays
    as it is and is counted (that factor cannot verify until its key is listed again)."""
    counts = {"reencrypted": 0, "unreadable": 0}
    ids = list(
        MfaFactor.objects.filter(type=MfaFactor.Type.TOTP)
        .exclude(secret="")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            batch = MfaFactor.objects.select_for_update().filter(
                pk__in=ids[start : start + batch_size]
            )
            for factor in batch:
                token = mfa.reencrypt_secret(factor.secret)
                if token is None:
                    counts["unreadable"] += 1
                    continue
                factor.secret = token
                factor.save(update_fields=["secret"])
                counts["reencrypted"] += 1
    record("MfaSecrets.Reencrypt", origin=origin, payload=counts)
    return counts


def needs_mfa(user: User) -> bool:
    """Whether signing in asks for a second factor: an authenticator app, or backup codes with
    one left. (Passkeys are listed and removed here, not verified: no WebAuthn sign-in yet.)"""
    for factor in user.mfa_factors.filter(
        type__in=[MfaFactor.Type.TOTP, MfaFactor.Type.BACKUP_CODE]
    ):
        if factor.type == MfaFactor.Type.TOTP or _unused_codes(factor):
            return True
    return False


def verify_mfa_code(user: User, code: str, *, origin: Origin) -> MfaFactor | None:
    """The sign-in's second step: the factor `code` belongs to (an authenticator app's current
    code, or an unused backup code, which is then used up), or None. The factor's last use is
    noted; a TOTP code's time step is remembered, so the same code cannot be replayed. One
    `Interaction.SignIn.Verification.<Totp|BackupCode>.Submit` row, success or error."""
    from audit.models import Log

    code = "".join((code or "").split()).replace("-", "")
    now = timezone.now()
    with transaction.atomic():
        factors = MfaFactor.objects.select_for_update().filter(
            user=user, type__in=[MfaFactor.Type.TOTP, MfaFactor.Type.BACKUP_CODE]
        )
        matched = None
        for factor in factors.order_by("created_at", "id"):
            details = dict(factor.details or {})
            if factor.type == MfaFactor.Type.TOTP:
                secret = mfa.decrypt_secret(factor.secret) if factor.secret else None
                step = secret and mfa.totp_time_step(
                    secret, code, after_step=details.get("lastUsedTimeStep"), now=now
                )
                if step:
                    factor.details = {**details, "lastUsedTimeStep": step}
                    matched = factor
                    break
            else:
                records = _backup_records(factor)
                index = mfa.matching_code_index(factor.pk, records, code)
                if index is not None:
                    records[index]["usedAt"] = now.isoformat()
                    factor.secret = json.dumps(records)
                    remain = sum(1 for r in records if not r.get("usedAt"))
                    factor.details = {**details, "remainCodes": remain}
                    matched = factor
                    break
        if matched is not None:
            matched.last_used_at = now
            matched.save(update_fields=["secret", "details", "last_used_at"])
        kind = (
            matched.type
            if matched
            else (
                MfaFactor.Type.BACKUP_CODE
                if mfa.looks_like_backup_code(code)
                else MfaFactor.Type.TOTP
            )
        )
        record(
            f"SignIn.Verification.{kind}.Submit",
            origin=_interaction_origin(origin),
            user=user,
            result=Log.Result.SUCCESS if matched else Log.Result.ERROR,
            payload={"event": "SignIn", "factorId": matched.pk if matched else None},
        )
    return matched


# --- Personal access tokens --------------------------------------------------------------


def _clean_token_name(user: User, name: str, *, exclude_id=None) -> str:
    name = (name or "").strip()
    if not name:
        raise field_error("name", "Enter a name.", "required")
    if len(name) > 256:
        raise field_error("name", "Use at most 256 characters.", "too_long")
    taken = PersonalAccessToken.objects.filter(user=user, name=name).exclude(pk=exclude_id)
    if taken.exists():
        raise field_error("name", "This user has a token with this name.", "unique")
    return name


@dataclass(frozen=True)
class CreatedToken:
    token: PersonalAccessToken
    # The token value, for the one response that shows it; only its SHA-256 is stored.
    value: str


def create_personal_access_token(
    user: User, *, origin: Origin, name: str, expires_at=None
) -> CreatedToken:
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        name = _clean_token_name(user, name)
        if expires_at is not None and expires_at <= timezone.now():
            raise ValidationError(
                {"expires_at": [ValidationError("Choose a time in the future.", code="past")]}
            )
        value = tokens.new_personal_access_token()
        try:
            with transaction.atomic():
                token = PersonalAccessToken.objects.create(
                    user=user, name=name, expires_at=expires_at, token_hash=tokens.digest(value)
                )
        except IntegrityError:
            _clean_token_name(user, name)  # a concurrent create took the name: say so
            raise
        record(
            "User.PersonalAccessToken.Create",
            origin=origin,
            user=user,
            payload={"name": name, "expiresAt": expires_at.isoformat() if expires_at else None},
        )
    return CreatedToken(token=token, value=value)


def rename_personal_access_token(
    token: PersonalAccessToken, *, origin: Origin, name: str
) -> PersonalAccessToken:
    with transaction.atomic():
        user, actor = lock_for_change(token.user, origin)
        guard_staff_target(actor, user)
        name = _clean_token_name(user, name, exclude_id=token.pk)
        if name == token.name:
            return token
        old = token.name
        token.name = name
        token.save(update_fields=["name"])
        record(
            "User.PersonalAccessToken.Rename",
            origin=origin,
            user=user,
            payload={"name": {"old": old, "new": name}},
        )
    return token


def delete_personal_access_token(token: PersonalAccessToken, *, origin: Origin) -> None:
    with transaction.atomic():
        user, actor = lock_for_change(token.user, origin)
        guard_staff_target(actor, user)
        name = token.name
        token.delete()
        record("User.PersonalAccessToken.Delete", origin=origin, user=user, payload={"name": name})


# --- Management API verbs ----------------------------------------------------------------
# What the API needs beyond the console's verbs. Same rules: validate, one transaction, one
# audit row, nothing to do -> nothing written.


def create_user_with_details(
    *,
    origin: Origin,
    username=None,
    primary_email=None,
    primary_phone=None,
    password: str | None = None,
    password_digest: str | None = None,
    password_algorithm: str | None = None,
    **details,
) -> User:
    """Create a user with profile details and a password or an imported digest (the API's
    POST /api/users). `details`: name, avatar, custom_data, profile. ImportedDigestError for a
    digest that cannot be imported."""
    from users.hashers import encode_imported_digest

    encoded = None
    if password_digest is not None:
        encoded = encode_imported_digest(password_digest, password_algorithm)
    if password:
        validate_typed_password(
            password,
            User(username=username, primary_email=primary_email, name=details.get("name") or ""),
        )
    identifiers = normalize_identifiers(
        {"username": username, "primary_email": primary_email, "primary_phone": primary_phone}
    )
    cleaned = profile_rules.clean_profile_values(details)
    _check_new_identifiers(identifiers)
    user = User(**identifiers, **cleaned)
    if password:
        user.set_password(password)
    elif encoded:
        user.password = encoded
    else:
        user.set_unusable_password()
    if password or encoded:
        user.password_updated_at = timezone.now()
    _insert_user(
        user,
        identifiers,
        origin=origin,
        hasPassword=bool(password or encoded),
        passwordAlgorithm=password_algorithm if encoded else None,
    )
    return user


def update_user(
    user: User, *, origin: Origin, identifiers: dict, details: dict, expected_updated_at=None
) -> User:
    """Identifiers and profile details in one transaction (the API's PATCH /api/users/:id).

    A program asked explicitly, so clearing every identifier needs no second confirmation.
    """
    with transaction.atomic():
        if identifiers:
            user = update_identifiers(
                user,
                origin=origin,
                expected_updated_at=expected_updated_at,
                confirm_lockout=True,
                **identifiers,
            )
            expected_updated_at = None
        if details:
            user = update_profile(
                user, origin=origin, expected_updated_at=expected_updated_at, **details
            )
    return user


def merge_user_data(user: User, *, origin: Origin, field: str, values: dict) -> User:
    """Shallow-merge `values` into custom_data or profile (top-level keys replaced), under a lock
    so concurrent merges never lose each other's keys."""
    if field not in ("custom_data", "profile"):
        raise ValueError(field)
    with transaction.atomic():
        locked = lock_for_change(user, origin).user
        merged = {**(getattr(locked, field) or {}), **values}
        return update_profile(locked, origin=origin, **{field: merged})


def verify_password(user: User, password: str) -> bool:
    """Whether `password` is the user's; an imported or older hash is upgraded on success."""
    if not user.has_usable_password():
        from django.contrib.auth.hashers import make_password

        make_password(password)  # the same time as a real check: no "has a password" oracle
        return False
    return user.check_password(password)


def set_password_expired(user: User, *, origin: Origin, expired: bool) -> User:
    """Require (or stop requiring) a new password at the next sign-in."""
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        if user.is_password_expired == expired:
            return user
        guard_staff_target(actor, user)
        user.is_password_expired = expired
        user.save(update_fields=["is_password_expired", "updated_at"])
        record("User.Password.Expire", origin=origin, user=user, payload={"isExpired": expired})
    return user


IDENTITY_TARGET_MAX = 64
IDENTITY_USER_ID_MAX = 256


def set_identity(
    user: User, *, origin: Origin, target: str, external_user_id: str, details: dict | None = None
) -> bool:
    """Link (or replace) the user's social identity for `target`; True if it was new."""
    errors = {}
    if not target or len(target) > IDENTITY_TARGET_MAX or "\x00" in target:
        errors["target"] = [ValidationError("Enter a target of 1 to 64 characters.")]
    if not external_user_id or len(external_user_id) > IDENTITY_USER_ID_MAX:
        errors["user_id"] = [ValidationError("Enter a user id of 1 to 256 characters.")]
    if errors:
        raise ValidationError(errors)
    details = profile_rules.clean_custom_data(details or {})
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        taken = Identity.objects.filter(target=target, external_user_id=external_user_id).exclude(
            user=user
        )
        if taken.exists():
            raise ValidationError(
                {"identity": [ValidationError("Another user has this identity.", code="unique")]}
            )
        identity = Identity.objects.filter(user=user, target=target).first()
        created = identity is None
        old = None if created else identity.external_user_id
        if created:
            identity = Identity(user=user, target=target)
        identity.external_user_id = external_user_id
        identity.details = details
        try:
            with transaction.atomic():
                identity.save()
        except IntegrityError:
            raise ValidationError(
                {"identity": [ValidationError("Another user has this identity.", code="unique")]}
            ) from None
        record(
            "User.Identity.Set",
            origin=origin,
            user=user,
            payload={"target": target, "externalUserId": {"old": old, "new": external_user_id}},
        )
    return created


def replace_roles(user: User, roles, *, origin: Origin) -> None:
    """Make the user's roles exactly `roles` (the API's PUT /api/users/:id/roles)."""
    from users.access.roles import assign_roles, remove_role
    from users.models import UserRole

    roles = list(dict.fromkeys(roles))
    with transaction.atomic():
        user = lock_for_change(user, origin).user
        assign_roles(user, roles, origin=origin)
        keep = {r.pk for r in roles}
        for assignment in UserRole.objects.filter(user=user).select_related("role"):
            if assignment.role_id not in keep:
                remove_role(user, assignment.role, origin=origin)


# --- Lock down (authentik's "account lockdown") ----------------------------------------------

LOCK_DOWN_REASON_MAX = 500


def lock_down_user(user: User, *, origin: Origin, reason: str) -> dict:
    """Suspend the user, end every session and grant, revoke every OAuth token and personal access
    token, and make the password unusable (a new one comes only through a reset): one audit row
    with the reason. Doing it again does it again (a new row): it is what an admin reaches for
    when something is wrong, so it never skips. Returns what was ended (the audit payload)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > LOCK_DOWN_REASON_MAX or "\x00" in reason:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(f"Give a reason of 1 to {LOCK_DOWN_REASON_MAX} characters.")
                ]
            }
        )
    with transaction.atomic():
        user, actor = lock_for_change(user, origin, superusers=user.is_superuser)
        _guard_not_self(actor, user, "lock down")
        guard_staff_target(actor, user)
        _guard_last_superuser(user, "lock down")
        was_suspended = user.is_suspended
        user.is_suspended = True
        user.set_unusable_password()
        user.password_updated_at = timezone.now()
        user.is_password_expired = True
        user.save(
            update_fields=[
                "is_suspended",
                "password",
                "password_updated_at",
                "is_password_expired",
                "updated_at",
            ]
        )
        pats, _ = PersonalAccessToken.objects.filter(user=user).delete()
        replies = sessions_must_end.send(sender=User, user=user, reason="lock_down")
        sessions = sum(n for _, n in replies if isinstance(n, int))
        _end_sessions_and_tokens(user)
        payload = {
            "reason": reason,
            "wasSuspended": was_suspended,
            "sessionsEnded": sessions,
            "personalAccessTokensRevoked": pats,
        }
        record("User.LockDown", origin=origin, user=user, payload=payload)
    return payload


# --- End-user sign-in (signin/: the OpenID provider's /sign-in) ------------------------------

SIGN_IN_KEY = "SignIn.Submit"  # with channel "Interaction": Logto's Interaction.SignIn.Submit


def _interaction_origin(origin: Origin) -> Origin:
    return Origin(
        channel="Interaction",
        actor_label=origin.application_id,
        application_id=origin.application_id,
        ip=origin.ip,
        user_agent=origin.user_agent,
    )


def record_sign_in(user: User, *, application=None, origin: Origin, identifier_type="") -> User:
    """An end user signed in: `last_sign_in_at` is now, the first application they sign in
    through becomes their "From application", and one `Interaction.SignIn.Submit` row (Success)
    is written. Neither touches `updated_at`: signing in is not an edit an admin could lose."""
    now = timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_sign_in_at=now)
        user.last_sign_in_at = now
        first_app = application is not None and user.application_id is None
        if first_app and User.objects.filter(pk=user.pk, application__isnull=True).update(
            application=application
        ):
            user.application = application
        record(
            SIGN_IN_KEY,
            origin=_interaction_origin(origin),
            user=user,
            payload={"event": "SignIn", "identifierType": identifier_type},
        )
    return user


def record_failed_sign_in(user: User | None, *, origin: Origin, error: str, identifier_type=""):
    """A refused end-user sign-in (`Interaction.SignIn.Submit`, Error): against the account
    when the identifier named one; `error` is the reason (never what was typed)."""
    from audit.models import Log

    record(
        SIGN_IN_KEY,
        origin=_interaction_origin(origin),
        user=user,
        result=Log.Result.ERROR,
        payload={"event": "SignIn", "identifierType": identifier_type, "error": error},
    )
