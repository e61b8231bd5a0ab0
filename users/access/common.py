"""What the access verbs share: field checks, "already exists" errors, audit payload pieces.

Like users.services, each verb validates, runs in one transaction, writes one audit row (old ->
new, never a secret) and does nothing when there is nothing to do. Uniqueness is checked here for
a clear message and held by database constraints when two requests race. A user's roles and
memberships change under a lock on the user row, so concurrent requests for one user queue up
instead of both deciding the same role is new.
"""

from collections.abc import Iterable
from http import HTTPStatus

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower

from audit.recorder import Origin, field_changes, record
from users.errors import ServiceError, field_error
from users.models import Scope
from users.models.access import DESCRIPTION_MAX, NAME_MAX

# The rules of a name and a description (roles, organization roles, organizations).
NAMED = {"name": (NAME_MAX, True), "description": (DESCRIPTION_MAX, False)}


class InUseError(ServiceError):
    """Deleting this would break something that depends on it; the message says what."""

    code = "entity.in_use"
    status = HTTPStatus.CONFLICT


# --- Validation helpers ------------------------------------------------------------------


def clean_text(field: str, value, *, limit: int, required: bool = False) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise field_error(field, "This field is required.", "required")
    if len(value) > limit:
        raise field_error(field, f"Use at most {limit} characters.", "too_long")
    if "\x00" in value:
        raise field_error(field, "Null characters are not allowed.", "null_character")
    return value


def clean_fields(values: dict, rules: dict) -> dict:
    """Clean the `values` present, per `rules` (field -> (limit, required)); one error per field."""
    cleaned, errors = {}, {}
    for field, (limit, required) in rules.items():
        if field not in values:
            continue
        try:
            cleaned[field] = clean_text(field, values[field], limit=limit, required=required)
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def name_taken(model, name: str, *, exclude_pk=None) -> bool:
    # Lower-cased by the database on both sides, exactly as the unique index does.
    taken = model.objects.annotate(_name=Lower("name")).filter(_name=Lower(Value(name)))
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def given(**values) -> dict:
    """The values a caller passed (None means "leave it as it is")."""
    return {k: v for k, v in values.items() if v is not None}


def camel_keys(changes: dict) -> dict:
    def camel(name):
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)

    return {camel(k): v for k, v in changes.items()}


def name_ref(obj) -> dict:
    return {"id": obj.pk, "name": obj.name}


def scope_refs(scopes) -> list[dict]:
    return [
        {"id": s.pk, "name": s.name, "resource": s.resource.indicator}
        for s in sorted(scopes, key=lambda s: (s.resource.indicator, s.name))
    ]


def existing_scopes(scopes: Iterable[Scope]) -> list[Scope]:
    scopes = list(dict.fromkeys(scopes))
    found = Scope.objects.select_related("resource").in_bulk([s.pk for s in scopes])
    if len(found) != len(scopes):
        raise field_error(
            "scopes", "One of these permissions no longer exists. Reload and try again."
        )
    return list(found.values())


_TAKEN = {
    ("apiresource", "indicator"): "An API resource with this API identifier already exists.",
    ("role", "name"): "A role with this name already exists.",
    ("organizationrole", "name"): "An organization role with this name already exists.",
}


def unique_error(field: str, obj) -> ValidationError:
    return field_error(field, _TAKEN[obj._meta.model_name, field], "unique")


def save_unique(obj, fields, *, unique_field: str, taken):
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
            raise unique_error(unique_field, obj) from None
        raise


def create_named(obj, action: str, *, origin: Origin, scopes: list[Scope], payload: dict):
    """Insert a role or an organization role (name unique, case-insensitively) with the
    permissions it grants, and audit it; `payload` describes it (its id is added)."""
    model = type(obj)
    if name_taken(model, obj.name):
        raise unique_error("name", obj)
    with transaction.atomic():
        save_unique(obj, None, unique_field="name", taken=lambda: name_taken(model, obj.name))
        obj.scopes.set(scopes)
        record(
            action,
            origin=origin,
            payload={"role": {"id": obj.pk, **payload}, "scopes": scope_refs(scopes)},
        )
    return obj


def update_named(model, obj, action: str, *, origin: Origin, values: dict, scopes):
    """Update name/description and the permissions of a role or an organization role."""
    values = clean_fields(values, NAMED)
    scopes = existing_scopes(scopes) if scopes is not None else None
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=obj.pk)
        changes = field_changes(obj, values)
        if "name" in changes and name_taken(model, values["name"], exclude_pk=obj.pk):
            raise unique_error("name", obj)
        if scopes is not None:
            old = list(obj.scopes.select_related("resource"))
            if {s.pk for s in old} != {s.pk for s in scopes}:
                changes["scopes"] = {"old": scope_refs(old), "new": scope_refs(scopes)}
                obj.scopes.set(scopes)
        if not changes:
            return obj
        fields = [f for f in values if f in changes]
        for field in fields:
            setattr(obj, field, values[field])
        if fields:
            save_unique(
                obj,
                fields,
                unique_field="name",
                taken=lambda: name_taken(model, values["name"], exclude_pk=obj.pk),
            )
        record(action, origin=origin, payload={"role": name_ref(obj), "changes": changes})
    return obj


def insert_pairs(rows: list, *, stale: str) -> None:
    """Insert pair rows (a user's roles, an application's): a pair another request added
    meanwhile is skipped; a side deleted or changed since the form was opened is a stale form."""
    try:
        with transaction.atomic():
            type(rows[0]).objects.bulk_create(rows, ignore_conflicts=True)
    except IntegrityError:
        raise ValidationError(stale, code="stale") from None


def roles_added(new: list, have: set) -> dict:
    """The audit payload of roles given to a holder that had `have`."""
    return {
        "added": [{**name_ref(r), "type": r.type} for r in new],
        "roleCount": {"old": len(have), "new": len(have) + len(new)},
    }
