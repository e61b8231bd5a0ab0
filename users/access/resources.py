"""The verbs on API resources and their permissions (scopes)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from audit.recorder import Origin, field_changes, record
from users.access.common import (
    InUseError,
    clean_text,
    field_error,
    name_ref,
    save_unique,
    unique_error,
)
from users.models import ApiResource, OrganizationRole, Role, Scope
from users.models.access import DESCRIPTION_MAX, NAME_MAX

INDICATOR_MAX = 256
# Printable ASCII without spaces: scopes travel space-separated in tokens and requests.
_SCOPE_NAME_RE = re.compile(r"^[\x21-\x7e]+\Z")
_http_url = URLValidator(schemes=["http", "https"])


def clean_indicator(value) -> str:
    indicator = clean_text("indicator", value, limit=INDICATOR_MAX, required=True)
    try:
        _http_url(indicator)
    except ValidationError:
        raise field_error("indicator", "Enter an absolute http:// or https:// URL.") from None
    if "#" in indicator:
        raise field_error("indicator", "A resource indicator cannot have a #fragment (RFC 8707).")
    return indicator


def _indicator_taken(indicator, *, exclude_pk=None) -> bool:
    return ApiResource.objects.filter(indicator=indicator).exclude(pk=exclude_pk).exists()


def create_resource(*, origin: Origin, name: str, indicator: str) -> ApiResource:
    """Register an API; its indicator (the tokens' audience) is unique and fixed once created."""
    name = clean_text("name", name, limit=NAME_MAX, required=True)
    indicator = clean_indicator(indicator)
    resource = ApiResource(name=name, indicator=indicator)
    if _indicator_taken(indicator):
        raise unique_error("indicator", resource)
    with transaction.atomic():
        save_unique(
            resource, None, unique_field="indicator", taken=lambda: _indicator_taken(indicator)
        )
        record(
            "ApiResource.Create",
            origin=origin,
            payload={"resource": {"id": resource.pk, "name": name, "indicator": indicator}},
        )
    return resource


def update_resource(resource: ApiResource, *, origin: Origin, name: str) -> ApiResource:
    name = clean_text("name", name, limit=NAME_MAX, required=True)
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
    name = clean_text("name", value, limit=NAME_MAX, required=True)
    if not _SCOPE_NAME_RE.match(name):
        raise field_error(
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
    description = clean_text("description", description, limit=DESCRIPTION_MAX)
    scope = Scope(resource=resource, name=name, description=description)
    if _scope_taken(resource, name):
        raise field_error("name", "This API already has a permission with this name.", "unique")
    with transaction.atomic():
        try:
            with transaction.atomic():
                scope.save(force_insert=True)
        except IntegrityError:
            if _scope_taken(resource, name):
                raise field_error(
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
    description = clean_text("description", description, limit=DESCRIPTION_MAX)
    with transaction.atomic():
        scope = Scope.objects.select_for_update().select_related("resource").get(pk=scope.pk)
        changes = field_changes(scope, {"name": name, "description": description})
        if not changes:
            return scope
        if "name" in changes and _scope_taken(scope.resource, name, exclude_pk=scope.pk):
            raise field_error("name", "This API already has a permission with this name.", "unique")
        scope.name, scope.description = name, description
        try:
            with transaction.atomic():
                scope.save(update_fields=list(changes))
        except IntegrityError:
            raise field_error(
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
            "removedFromRoles": [name_ref(r) for r in dependents["roles"]],
            "removedFromOrganizationRoles": [name_ref(r) for r in dependents["organization_roles"]],
        }
        scope.delete()
        record("Scope.Delete", origin=origin, payload=payload)
