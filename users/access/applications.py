"""The verbs on applications: registration, secrets, machine-to-machine roles, sign-in options."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model

from audit.recorder import Origin, field_changes, record
from users.access.common import (
    camel_keys,
    clean_fields,
    clean_text,
    field_error,
    given,
    insert_pairs,
    name_ref,
    roles_added,
)
from users.models import Application, ApplicationRole, Role, User
from users.models.access import NAME_MAX

APPLICATION_DESCRIPTION_MAX = 1024
REDIRECT_URIS_MAX = 20


def clean_redirect_uris(value) -> str:
    """Redirect URIs, one per line or space-separated, as oauth2_provider stores them."""
    text = clean_text("redirect_uris", value, limit=4096)
    uris = list(dict.fromkeys(text.split()))
    if len(uris) > REDIRECT_URIS_MAX:
        raise field_error("redirect_uris", f"Use at most {REDIRECT_URIS_MAX} redirect URIs.")
    return " ".join(uris)


def _app_values(values: dict, app_type: str) -> dict:
    cleaned = clean_fields(
        values, {"name": (NAME_MAX, True), "description": (APPLICATION_DESCRIPTION_MAX, False)}
    )
    if "redirect_uris" in values:
        cleaned["redirect_uris"] = clean_redirect_uris(values["redirect_uris"])
        if app_type == Application.Type.MACHINE_TO_MACHINE:
            cleaned["redirect_uris"] = ""  # no one signs in through it
        elif not cleaned["redirect_uris"]:
            raise field_error(
                "redirect_uris", "Enter at least one redirect URI: users sign in through this app."
            )
    return cleaned


def _check_oauth_rules(app: Application):
    """oauth2_provider's own rules (redirect URI schemes, ...), reported on our fields."""
    try:
        app.clean()
    except ValidationError as error:
        messages = {
            field: [ValidationError(m, code="invalid") for m in msgs]
            for field, msgs in error.message_dict.items()
        }
        raise ValidationError(messages) from None


def _app_snapshot(app: Application) -> dict:
    return {
        "id": app.pk,
        "name": app.name,
        "type": app.type,
        "clientId": app.client_id,
        "description": app.description,
        "redirectUris": app.redirect_uris.split(),
    }


def create_application(
    *,
    origin: Origin,
    name: str,
    type: str,
    description: str = "",
    redirect_uris: str = "",
) -> Application:
    """Register an application; its type decides the OAuth client type and grant.

    A confidential client gets a random secret, stored hashed. Its value is on the returned
    instance as `new_client_secret` (in memory only) for the one response that shows it.
    """
    if type not in Application.Type.values:
        raise field_error("type", "Choose an application type.")
    values = _app_values(
        {"name": name, "description": description, "redirect_uris": redirect_uris}, type
    )
    client_type, grant = Application.OAUTH_CLIENT[type]
    app = Application(type=type, client_type=client_type, authorization_grant_type=grant, **values)
    secret = ""
    if client_type == Application.CLIENT_CONFIDENTIAL:
        secret = app.client_secret = generate_client_secret()
    else:
        app.client_secret = ""
    _check_oauth_rules(app)
    with transaction.atomic():
        app.save(force_insert=True)  # hashes client_secret (oauth2_provider's field)
        record("Application.Create", origin=origin, payload={"application": _app_snapshot(app)})
    app.new_client_secret = secret
    return app


def update_application(
    app: Application,
    *,
    origin: Origin,
    name: str | None = None,
    description: str | None = None,
    redirect_uris: str | None = None,
) -> Application:
    """Rename, describe or change the redirect URIs of an application; its type is fixed."""
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=app.pk)
        values = _app_values(
            given(name=name, description=description, redirect_uris=redirect_uris), app.type
        )
        return _apply_application_changes(app, values, origin=origin)


def _apply_application_changes(app: Application, values: dict, *, origin: Origin) -> Application:
    """Save what differs in `values` (app locked by the caller) and audit it; nothing -> nothing."""
    changes = field_changes(app, values)
    if not changes:
        return app
    for field, change in changes.items():
        setattr(app, field, change["new"])
    _check_oauth_rules(app)
    app.save(update_fields=[*changes, "updated"])
    record(
        "Application.Update",
        origin=origin,
        payload={"application": name_ref(app), "changes": camel_keys(changes)},
    )
    return app


def delete_application(app: Application, *, origin: Origin) -> int:
    """Delete an application and its tokens; users who came from it keep their accounts
    ("From application" becomes empty). Returns how many users came from it."""
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=app.pk)
        user_count = User.objects.filter(application=app).count()
        payload = {"application": _app_snapshot(app), "usersDetached": user_count}
        app.delete()  # users: one UPDATE ... SET application_id = NULL
        record("Application.Delete", origin=origin, payload=payload)
    return user_count


def rotate_application_secret(app: Application, *, origin: Origin) -> str:
    """Give a confidential application a new secret and return it (shown once, stored hashed).

    The old secret stops working, and so does every access token issued before: they are deleted
    here, and the token check refuses any issued before `secret_rotated_at` whatever happens.
    """
    if app.client_type != Application.CLIENT_CONFIDENTIAL:
        raise ValidationError(
            "This application has no secret: it is a public client.", code="invalid_client_type"
        )
    secret = generate_client_secret()
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=app.pk)
        app.client_secret = secret
        app.secret_rotated_at = timezone.now()
        app.save(update_fields=["client_secret", "secret_rotated_at", "updated"])
        revoked, _ = get_access_token_model().objects.filter(application=app).delete()
        record(
            "Application.Secret.Rotate",
            origin=origin,
            payload={"application": name_ref(app), "revokedTokens": revoked},
        )
    return secret


# --- An application's (machine-to-machine) roles -----------------------------------------


def assign_application_roles(
    app: Application, roles: Iterable[Role], *, origin: Origin
) -> list[Role]:
    """Give a machine-to-machine application these machine-to-machine roles; those it holds
    already are skipped. Returns the new ones. The application row is locked, so concurrent
    requests for one role add one row and one audit entry."""
    roles = list(dict.fromkeys(roles))
    if not app.is_machine_to_machine:
        raise ValidationError(
            "Only machine-to-machine applications hold roles.", code="invalid_application_type"
        )
    for role in roles:
        if role.type != Role.Type.MACHINE_TO_MACHINE:
            raise ValidationError(
                f"“{role.name}” is a user role: only machine-to-machine roles can be given to "
                "applications.",
                code="invalid_role_type",
            )
    if not roles:
        return []
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=app.pk)
        have = set(
            ApplicationRole.objects.filter(application=app).values_list("role_id", flat=True)
        )
        new = [r for r in roles if r.pk not in have]
        if not new:
            return []
        insert_pairs(
            [ApplicationRole(application=app, role=r) for r in new],
            stale="One of these roles was just deleted. Reload and try again.",
        )
        payload = {"application": name_ref(app), **roles_added(new, have)}
        record("Application.Roles.Assign", origin=origin, payload=payload)
    return new


def remove_application_role(app: Application, role: Role, *, origin: Origin) -> bool:
    """Take a role from an application; False if it did not hold it. Its access tokens are
    deleted (a new one carries only what the remaining roles grant); the token check would
    refuse them anyway once no role grants their scope."""
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=app.pk)
        deleted, _ = ApplicationRole.objects.filter(application=app, role=role).delete()
        if not deleted:
            return False
        revoked, _ = get_access_token_model().objects.filter(application=app).delete()
        record(
            "Application.Roles.Remove",
            origin=origin,
            payload={
                "application": name_ref(app),
                "removed": name_ref(role),
                "revokedTokens": revoked,
            },
        )
    return True


# --- Sign-in options of an application users sign in through (signin/: the OpenID provider) ---


def set_application_sign_in_options(
    app: Application,
    *,
    origin: Origin,
    is_third_party: bool | None = None,
    post_logout_redirect_uris: str | None = None,
) -> Application:
    """Mark an application third-party (its users are asked for consent) or first-party, and set
    where it may send users after they sign out (exact URIs, as its redirect URIs)."""
    if not app.signs_users_in:
        raise field_error("type", "Users do not sign in through a machine-to-machine application.")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=app.pk)
        values = {}
        if is_third_party is not None:
            values["is_third_party"] = bool(is_third_party)
        if post_logout_redirect_uris is not None:
            values["post_logout_redirect_uris"] = clean_redirect_uris(post_logout_redirect_uris)
        return _apply_application_changes(app, values, origin=origin)
