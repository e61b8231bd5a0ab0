"""The verbs of access control: API resources and their permissions, roles, organizations,
organization roles, applications, and what users hold of them.

Like users.services, each verb validates, runs in one transaction, writes one audit row (old ->
new, never a secret) and does nothing when there is nothing to do. Uniqueness is checked here for
a clear message and held by database constraints when two requests race. A user's roles and
memberships change under a lock on the user row, so concurrent requests for one user queue up
instead of both deciding the same role is new.
"""

import re
from collections.abc import Iterable
from http import HTTPStatus

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model

from audit.recorder import Origin, field_changes, record
from users import profile_rules
from users.errors import ServiceError
from users.models import (
    ApiResource,
    Application,
    ApplicationRole,
    Membership,
    Organization,
    OrganizationRole,
    Role,
    Scope,
    User,
    UserRole,
)
from users.models.access import DESCRIPTION_MAX, NAME_MAX
from users.services import guard_staff_target, lock_for_change

INDICATOR_MAX = 256
APPLICATION_DESCRIPTION_MAX = 1024
REDIRECT_URIS_MAX = 20
# Printable ASCII without spaces: scopes travel space-separated in tokens and requests.
_SCOPE_NAME_RE = re.compile(r"^[\x21-\x7e]+\Z")
_http_url = URLValidator(schemes=["http", "https"])


class InUseError(ServiceError):
    """Deleting this would break something that depends on it; the message says what."""

    code = "entity.in_use"
    status = HTTPStatus.CONFLICT


# --- Validation helpers ------------------------------------------------------------------


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _clean_text(field: str, value, *, limit: int, required: bool = False) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise _error(field, "This field is required.", "required")
    if len(value) > limit:
        raise _error(field, f"Use at most {limit} characters.", "too_long")
    if "\x00" in value:
        raise _error(field, "Null characters are not allowed.", "null_character")
    return value


def _clean_fields(values: dict, rules: dict) -> dict:
    """Clean the `values` present, per `rules` (field -> (limit, required)); one error per field."""
    cleaned, errors = {}, {}
    for field, (limit, required) in rules.items():
        if field not in values:
            continue
        try:
            cleaned[field] = _clean_text(field, values[field], limit=limit, required=required)
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _name_taken(model, name: str, *, exclude_pk=None) -> bool:
    # Lower-cased by the database on both sides, exactly as the unique index does.
    taken = model.objects.annotate(_name=Lower("name")).filter(_name=Lower(Value(name)))
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def _given(**values) -> dict:
    """The values a caller passed (None means "leave it as it is")."""
    return {k: v for k, v in values.items() if v is not None}


def _camel(changes: dict) -> dict:
    def camel(name):
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)

    return {camel(k): v for k, v in changes.items()}


def _ref(obj) -> dict:
    return {"id": obj.pk, "name": obj.name}


def _scope_refs(scopes) -> list[dict]:
    return [
        {"id": s.pk, "name": s.name, "resource": s.resource.indicator}
        for s in sorted(scopes, key=lambda s: (s.resource.indicator, s.name))
    ]


def _scopes(scopes: Iterable[Scope]) -> list[Scope]:
    scopes = list(dict.fromkeys(scopes))
    found = Scope.objects.select_related("resource").in_bulk([s.pk for s in scopes])
    if len(found) != len(scopes):
        raise _error("scopes", "One of these permissions no longer exists. Reload and try again.")
    return list(found.values())


_TAKEN = {
    ("apiresource", "indicator"): "An API resource with this API identifier already exists.",
    ("role", "name"): "A role with this name already exists.",
    ("organizationrole", "name"): "An organization role with this name already exists.",
}


def _unique_error(field: str, obj) -> ValidationError:
    return _error(field, _TAKEN[obj._meta.model_name, field], "unique")


def _save(obj, fields, *, unique_field: str, taken):
    """Insert `obj` (fields=None) or save `fields`; losing a race on a unique constraint becomes
    the same "already exists" error as the check before it, never a 500."""
    try:
        with transaction.atomic():
            if fields is None:
                obj.save(force_insert=True)
            else:
                obj.save(update_fields=fields)
    except IntegrityError:
        if taken():
            raise _unique_error(unique_field, obj) from None
        raise


# --- API resources and their permissions -------------------------------------------------


def clean_indicator(value) -> str:
    indicator = _clean_text("indicator", value, limit=INDICATOR_MAX, required=True)
    try:
        _http_url(indicator)
    except ValidationError:
        raise _error("indicator", "Enter an absolute http:// or https:// URL.") from None
    if "#" in indicator:
        raise _error("indicator", "A resource indicator cannot have a #fragment (RFC 8707).")
    return indicator


def _indicator_taken(indicator, *, exclude_pk=None) -> bool:
    return ApiResource.objects.filter(indicator=indicator).exclude(pk=exclude_pk).exists()


def create_resource(*, origin: Origin, name: str, indicator: str) -> ApiResource:
    """Register an API; its indicator (the tokens' audience) is unique and fixed once created."""
    name = _clean_text("name", name, limit=NAME_MAX, required=True)
    indicator = clean_indicator(indicator)
    resource = ApiResource(name=name, indicator=indicator)
    if _indicator_taken(indicator):
        raise _unique_error("indicator", resource)
    with transaction.atomic():
        _save(resource, None, unique_field="indicator", taken=lambda: _indicator_taken(indicator))
        record(
            "ApiResource.Create",
            origin=origin,
            payload={"resource": {"id": resource.pk, "name": name, "indicator": indicator}},
        )
    return resource


def update_resource(resource: ApiResource, *, origin: Origin, name: str) -> ApiResource:
    name = _clean_text("name", name, limit=NAME_MAX, required=True)
    with transaction.atomic():
        resource = ApiResource.objects.select_for_update().get(pk=resource.pk)
        changes = field_changes(resource, {"name": name})
        if not changes:
            return resource
        resource.name = name
        resource.save(update_fields=["name"])
        record(
            "ApiResource.Update",
            origin=origin,
            payload={
                "resource": {"id": resource.pk, "indicator": resource.indicator},
                "changes": changes,
            },
        )
    return resource


def resource_dependents(resource: ApiResource) -> dict:
    """The roles and organization roles that grant one of the resource's permissions."""
    return {
        "roles": list(Role.objects.filter(scopes__resource=resource).distinct().order_by("name")),
        "organization_roles": list(
            OrganizationRole.objects.filter(scopes__resource=resource).distinct().order_by("name")
        ),
    }


def delete_resource(resource: ApiResource, *, origin: Origin) -> None:
    """Delete an API with its permissions; refused while a role grants any of them."""
    with transaction.atomic():
        resource = ApiResource.objects.select_for_update().get(pk=resource.pk)
        dependents = resource_dependents(resource)
        users_of = dependents["roles"] + dependents["organization_roles"]
        if users_of:
            names = ", ".join(f"“{r.name}”" for r in users_of[:5])
            more = f" and {len(users_of) - 5} more" if len(users_of) > 5 else ""
            raise InUseError(
                f"Roles grant permissions of this API ({names}{more}). Remove those permissions "
                "from the roles first, so no one loses access by surprise."
            )
        scopes = list(resource.scopes.values_list("name", flat=True))
        payload = {
            "resource": {"id": resource.pk, "name": resource.name, "indicator": resource.indicator},
            "scopes": sorted(scopes),
        }
        resource.delete()
        record("ApiResource.Delete", origin=origin, payload=payload)


def _clean_scope_name(value) -> str:
    name = _clean_text("name", value, limit=NAME_MAX, required=True)
    if not _SCOPE_NAME_RE.match(name):
        raise _error(
            "name", "Use letters, digits and punctuation without spaces, e.g. read:orders."
        )
    return name


def _scope_taken(resource, name, *, exclude_pk=None) -> bool:
    return Scope.objects.filter(resource=resource, name=name).exclude(pk=exclude_pk).exists()


def create_scope(
    resource: ApiResource, *, origin: Origin, name: str, description: str = ""
) -> Scope:
    """Add a permission to an API; its name is unique within the API."""
    name = _clean_scope_name(name)
    description = _clean_text("description", description, limit=DESCRIPTION_MAX)
    scope = Scope(resource=resource, name=name, description=description)
    if _scope_taken(resource, name):
        raise _error("name", "This API already has a permission with this name.", "unique")
    with transaction.atomic():
        try:
            with transaction.atomic():
                scope.save(force_insert=True)
        except IntegrityError:
            if _scope_taken(resource, name):
                raise _error(
                    "name", "This API already has a permission with this name.", "unique"
                ) from None
            raise
        record(
            "Scope.Create",
            origin=origin,
            payload={
                "scope": {"id": scope.pk, "name": name, "description": description},
                "resource": {"id": resource.pk, "indicator": resource.indicator},
            },
        )
    return scope


def update_scope(scope: Scope, *, origin: Origin, name: str, description: str) -> Scope:
    name = _clean_scope_name(name)
    description = _clean_text("description", description, limit=DESCRIPTION_MAX)
    with transaction.atomic():
        scope = Scope.objects.select_for_update().select_related("resource").get(pk=scope.pk)
        changes = field_changes(scope, {"name": name, "description": description})
        if not changes:
            return scope
        if "name" in changes and _scope_taken(scope.resource, name, exclude_pk=scope.pk):
            raise _error("name", "This API already has a permission with this name.", "unique")
        scope.name, scope.description = name, description
        try:
            with transaction.atomic():
                scope.save(update_fields=list(changes))
        except IntegrityError:
            raise _error(
                "name", "This API already has a permission with this name.", "unique"
            ) from None
        record(
            "Scope.Update",
            origin=origin,
            payload={
                "scope": {"id": scope.pk, "resource": scope.resource.indicator},
                "changes": changes,
            },
        )
    return scope


def scope_dependents(scope: Scope) -> dict:
    return {
        "roles": list(scope.roles.order_by("name")),
        "organization_roles": list(scope.organization_roles.order_by("name")),
    }


def delete_scope(scope: Scope, *, origin: Origin) -> None:
    """Delete a permission; the roles that granted it no longer do (the dialog lists them)."""
    with transaction.atomic():
        scope = Scope.objects.select_for_update().select_related("resource").get(pk=scope.pk)
        dependents = scope_dependents(scope)
        payload = {
            "scope": {"id": scope.pk, "name": scope.name, "resource": scope.resource.indicator},
            "removedFromRoles": [_ref(r) for r in dependents["roles"]],
            "removedFromOrganizationRoles": [_ref(r) for r in dependents["organization_roles"]],
        }
        scope.delete()
        record("Scope.Delete", origin=origin, payload=payload)


# --- Roles -------------------------------------------------------------------------------


def create_role(
    *,
    origin: Origin,
    name: str,
    description: str = "",
    type: str = Role.Type.USER,
    scopes: Iterable[Scope] = (),
) -> Role:
    """Create a role (name unique, case-insensitively) with the permissions it grants."""
    values = _clean_fields(
        {"name": name, "description": description},
        {"name": (NAME_MAX, True), "description": (DESCRIPTION_MAX, False)},
    )
    if type not in Role.Type.values:
        raise _error("type", "Choose User or Machine-to-machine.")
    scopes = _scopes(scopes)
    role = Role(type=type, **values)
    if _name_taken(Role, values["name"]):
        raise _unique_error("name", role)
    with transaction.atomic():
        _save(role, None, unique_field="name", taken=lambda: _name_taken(Role, values["name"]))
        role.scopes.set(scopes)
        record(
            "Role.Create",
            origin=origin,
            payload={
                "role": {"id": role.pk, **values, "type": type},
                "scopes": _scope_refs(scopes),
            },
        )
    return role


def _update_named(model, obj, action: str, *, origin: Origin, values: dict, scopes):
    """Update name/description and the permissions of a role or an organization role."""
    values = _clean_fields(
        values, {"name": (NAME_MAX, True), "description": (DESCRIPTION_MAX, False)}
    )
    scopes = _scopes(scopes) if scopes is not None else None
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=obj.pk)
        changes = field_changes(obj, values)
        if "name" in changes and _name_taken(model, values["name"], exclude_pk=obj.pk):
            raise _unique_error("name", obj)
        if scopes is not None:
            old = list(obj.scopes.select_related("resource"))
            if {s.pk for s in old} != {s.pk for s in scopes}:
                changes["scopes"] = {"old": _scope_refs(old), "new": _scope_refs(scopes)}
                obj.scopes.set(scopes)
        if not changes:
            return obj
        fields = [f for f in values if f in changes]
        for field in fields:
            setattr(obj, field, values[field])
        if fields:
            _save(
                obj,
                fields,
                unique_field="name",
                taken=lambda: _name_taken(model, values["name"], exclude_pk=obj.pk),
            )
        record(action, origin=origin, payload={"role": _ref(obj), "changes": changes})
    return obj


def update_role(
    role: Role,
    *,
    origin: Origin,
    name: str | None = None,
    description: str | None = None,
    scopes: Iterable[Scope] | None = None,
) -> Role:
    """Rename, describe or change the permissions of a role (those given); its type is fixed."""
    values = _given(name=name, description=description)
    return _update_named(Role, role, "Role.Update", origin=origin, values=values, scopes=scopes)


def delete_role(role: Role, *, origin: Origin) -> int:
    """Delete a role; it is taken from every user who has it. Returns how many had it."""
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        user_count = role.assignments.count()
        payload = {
            "role": {"id": role.pk, "name": role.name, "type": role.type},
            "scopes": _scope_refs(role.scopes.select_related("resource")),
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
        try:
            with transaction.atomic():
                UserRole.objects.bulk_create(
                    [UserRole(user=user, role=r) for r in new], ignore_conflicts=True
                )
        except IntegrityError:
            # A role was deleted, or made machine-to-machine, since the form was opened.
            raise ValidationError(
                "One of these roles was just deleted or changed. Reload and try again.",
                code="stale",
            ) from None
        record(
            "User.Roles.Assign",
            origin=origin,
            user=user,
            payload={
                "added": [{**_ref(r), "type": r.type} for r in new],
                "roleCount": {"old": len(have), "new": len(have) + len(new)},
            },
        )
    return new


def remove_role(user: User, role: Role, *, origin: Origin) -> bool:
    """Take a role from the user; False if they did not have it."""
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        deleted, _ = UserRole.objects.filter(user=user, role=role).delete()
        if not deleted:
            return False
        record("User.Roles.Remove", origin=origin, user=user, payload={"removed": _ref(role)})
    return True


# --- Organizations -----------------------------------------------------------------------


def _org_values(values: dict) -> dict:
    cleaned = _clean_fields(
        values, {"name": (NAME_MAX, True), "description": (DESCRIPTION_MAX, False)}
    )
    if "custom_data" in values:
        cleaned["custom_data"] = profile_rules.clean_custom_data(values["custom_data"] or {})
    return cleaned


def create_organization(
    *, origin: Origin, name: str, description: str = "", custom_data: dict | None = None
) -> Organization:
    values = _org_values({"name": name, "description": description, "custom_data": custom_data})
    with transaction.atomic():
        organization = Organization.objects.create(**values)
        record(
            "Organization.Create",
            origin=origin,
            payload={"organization": {"id": organization.pk, **_camel(values)}},
        )
    return organization


def update_organization(
    organization: Organization,
    *,
    origin: Origin,
    name: str | None = None,
    description: str | None = None,
    custom_data: dict | None = None,
) -> Organization:
    values = _org_values(_given(name=name, description=description, custom_data=custom_data))
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        changes = field_changes(organization, values)
        if not changes:
            return organization
        for field, change in changes.items():
            setattr(organization, field, change["new"])
        organization.save(update_fields=list(changes))
        record(
            "Organization.Update",
            origin=origin,
            payload={"organization": _ref(organization), "changes": _camel(changes)},
        )
    return organization


def delete_organization(organization: Organization, *, origin: Origin) -> int:
    """Delete an organization and its memberships (members keep their accounts)."""
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        member_count = organization.memberships.count()
        payload = {"organization": _ref(organization), "removedMembers": member_count}
        organization.delete()
        record("Organization.Delete", origin=origin, payload=payload)
    return member_count


def create_organization_role(
    *, origin: Origin, name: str, description: str = "", scopes: Iterable[Scope] = ()
) -> OrganizationRole:
    values = _clean_fields(
        {"name": name, "description": description},
        {"name": (NAME_MAX, True), "description": (DESCRIPTION_MAX, False)},
    )
    scopes = _scopes(scopes)
    role = OrganizationRole(**values)
    if _name_taken(OrganizationRole, values["name"]):
        raise _unique_error("name", role)
    with transaction.atomic():
        _save(
            role,
            None,
            unique_field="name",
            taken=lambda: _name_taken(OrganizationRole, values["name"]),
        )
        role.scopes.set(scopes)
        record(
            "OrganizationRole.Create",
            origin=origin,
            payload={"role": {"id": role.pk, **values}, "scopes": _scope_refs(scopes)},
        )
    return role


def update_organization_role(
    role: OrganizationRole,
    *,
    origin: Origin,
    name: str | None = None,
    description: str | None = None,
    scopes: Iterable[Scope] | None = None,
) -> OrganizationRole:
    values = _given(name=name, description=description)
    return _update_named(
        OrganizationRole,
        role,
        "OrganizationRole.Update",
        origin=origin,
        values=values,
        scopes=scopes,
    )


def delete_organization_role(role: OrganizationRole, *, origin: Origin) -> int:
    """Delete an organization role; members who held it keep their memberships without it."""
    with transaction.atomic():
        role = OrganizationRole.objects.select_for_update().get(pk=role.pk)
        holders = role.memberships.count()
        payload = {"role": _ref(role), "removedFromMembers": holders}
        role.delete()
        record("OrganizationRole.Delete", origin=origin, payload=payload)
    return holders


# --- A user's memberships ----------------------------------------------------------------


def _membership_payload(organization, old_roles, new_roles) -> dict:
    return {
        "organization": _ref(organization),
        "roles": {
            "old": sorted(r.name for r in old_roles),
            "new": sorted(r.name for r in new_roles),
        },
    }


def add_membership(
    user: User,
    organization: Organization,
    roles: Iterable[OrganizationRole] = (),
    *,
    origin: Origin,
) -> Membership:
    """Make the user a member with these roles; for a member already, add the roles missing."""
    roles = list(dict.fromkeys(roles))
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        membership = Membership.objects.filter(user=user, organization=organization).first()
        if membership is None:
            try:
                with transaction.atomic():
                    membership = Membership.objects.create(user=user, organization=organization)
            except IntegrityError:
                raise ValidationError(
                    "This organization was just deleted. Reload and try again.", code="stale"
                ) from None
            old = []
            action = "User.Organizations.Add"
        else:
            old = list(membership.roles.all())
            action = "User.Organizations.Roles.Update"
        missing = [r for r in roles if r not in old]
        if action != "User.Organizations.Add" and not missing:
            return membership
        membership.roles.add(*missing)
        record(
            action,
            origin=origin,
            user=user,
            payload=_membership_payload(organization, old, old + missing),
        )
    return membership


def set_membership_roles(
    user: User, organization: Organization, roles: Iterable[OrganizationRole], *, origin: Origin
) -> Membership:
    """Make the member's organization roles exactly these."""
    roles = list(dict.fromkeys(roles))
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        membership = Membership.objects.filter(user=user, organization=organization).first()
        if membership is None:
            raise ValidationError(
                "The user is not a member of this organization.", code="not_member"
            )
        old = list(membership.roles.all())
        if {r.pk for r in old} == {r.pk for r in roles}:
            return membership
        membership.roles.set(roles)
        record(
            "User.Organizations.Roles.Update",
            origin=origin,
            user=user,
            payload=_membership_payload(organization, old, roles),
        )
    return membership


def remove_membership(user: User, organization: Organization, *, origin: Origin) -> bool:
    """Take the user out of the organization (and its roles); False if they were not in it."""
    with transaction.atomic():
        user, actor = lock_for_change(user, origin)
        guard_staff_target(actor, user)
        membership = Membership.objects.filter(user=user, organization=organization).first()
        if membership is None:
            return False
        old = list(membership.roles.all())
        membership.delete()
        record(
            "User.Organizations.Remove",
            origin=origin,
            user=user,
            payload=_membership_payload(organization, old, []),
        )
    return True


# --- Applications ------------------------------------------------------------------------


def clean_redirect_uris(value) -> str:
    """Redirect URIs, one per line or space-separated, as oauth2_provider stores them."""
    text = _clean_text("redirect_uris", value, limit=4096)
    uris = list(dict.fromkeys(text.split()))
    if len(uris) > REDIRECT_URIS_MAX:
        raise _error("redirect_uris", f"Use at most {REDIRECT_URIS_MAX} redirect URIs.")
    return " ".join(uris)


def _app_values(values: dict, app_type: str) -> dict:
    cleaned = _clean_fields(
        values, {"name": (NAME_MAX, True), "description": (APPLICATION_DESCRIPTION_MAX, False)}
    )
    if "redirect_uris" in values:
        cleaned["redirect_uris"] = clean_redirect_uris(values["redirect_uris"])
        if app_type == Application.Type.MACHINE_TO_MACHINE:
            cleaned["redirect_uris"] = ""  # no one signs in through it
        elif not cleaned["redirect_uris"]:
            raise _error(
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
        raise _error("type", "Choose an application type.")
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
            _given(name=name, description=description, redirect_uris=redirect_uris), app.type
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
        payload={"application": _ref(app), "changes": _camel(changes)},
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
            payload={"application": _ref(app), "revokedTokens": revoked},
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
        try:
            with transaction.atomic():
                ApplicationRole.objects.bulk_create(
                    [ApplicationRole(application=app, role=r) for r in new], ignore_conflicts=True
                )
        except IntegrityError:
            raise ValidationError(
                "One of these roles was just deleted. Reload and try again.", code="stale"
            ) from None
        record(
            "Application.Roles.Assign",
            origin=origin,
            payload={
                "application": _ref(app),
                "added": [{**_ref(r), "type": r.type} for r in new],
                "roleCount": {"old": len(have), "new": len(have) + len(new)},
            },
        )
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
            payload={"application": _ref(app), "removed": _ref(role), "revokedTokens": revoked},
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
        raise _error("type", "Users do not sign in through a machine-to-machine application.")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=app.pk)
        values = {}
        if is_third_party is not None:
            values["is_third_party"] = bool(is_third_party)
        if post_logout_redirect_uris is not None:
            values["post_logout_redirect_uris"] = clean_redirect_uris(post_logout_redirect_uris)
        return _apply_application_changes(app, values, origin=origin)
