"""Management API: /api/users... and /api/roles, Logto's paths and JSON (spec §6).

Each endpoint parses, loads, calls one service (users.services / users.access.*) and
serialises; search is users.search, the same query as the console's table. The caller (an M2M
application) is `request.api_origin`, set by console.api when the bearer token checks out.
"""

import contextlib
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from console.paging import set_page_headers
from users import filters, mfa, services
from users import schemas as s
from users.access import roles as role_services
from users.errors import ServiceError
from users.hashers import ImportedDigestError, exported_digest
from users.models import Identity, Membership, MfaFactor, PersonalAccessToken, Role, Scope, User
from users.search import (
    USER_SEARCH_FIELDS,
    InvalidSearch,
    api_search_users,
    field_condition,
    parse_field_query,
)

MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
_ID_RE = re.compile(r"^[\w-]{1,64}\Z", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TRUTHY = {"1", "true", "y", "yes", "yep", "yeah"}
ROLE_SEARCH_FIELDS = {"id": "id", "name": "name", "description": "description"}


class ApiError(Exception):
    """An answer other than success: HTTP status, Logto's code, a message (console.api renders it)."""

    def __init__(self, status: int, code: str, message: str, *, data=None, details=None):
        super().__init__(message)
        self.status, self.code, self.message, self.data, self.details = (
            int(status),
            code,
            message,
            data,
            details,
        )


def errors(*statuses: int) -> dict:
    """The error responses a route declares (401/403 on every route: the bearer token)."""
    return dict.fromkeys({400, 401, 403, *statuses}, s.Error)


router = Router(tags=["Users"])
roles_router = Router(tags=["Roles"])


# --- Helpers: loading, parsing, serialising -------------------------------------------------


def _origin(request):
    return request.api_origin


def not_found(what="user") -> ApiError:
    return ApiError(404, "entity.not_found", f"The {what} does not exist.")


def _user(user_id: str) -> User:
    """The user, or 404 entity.not_found (also for ids that cannot exist: NUL, over-long...)."""
    if not _ID_RE.match(user_id or ""):
        raise not_found()
    user = User.objects.filter(pk=user_id).select_related("application").first()
    if user is None:
        raise not_found()
    return user


def _user_to_change(user_id: str) -> User:
    """The user, for a change whose service does not lock the user (signin/api.py's session
    revocations): refused here when it is a console admin account. Every verb that goes through
    users.services.lock_for_change refuses it there (guard_api_target), so the routes below
    just load the user with `_user`."""
    user = _user(user_id)
    if user.is_staff:
        raise ApiError(
            403,
            "user.forbidden",
            "This is a console admin account: only a superuser may change it, in the console.",
        )
    return user


def ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def _flag(value) -> bool:
    return str(value or "").strip().lower() in _TRUTHY


def user_json(
    user: User, *, identities=None, include_hash: bool = False, include_sso: bool = False
) -> dict:
    if identities is None:
        identities = list(user.identities.all())
    data = {
        "id": user.pk,
        "username": user.username or None,
        "primaryEmail": user.primary_email or None,
        "primaryPhone": user.primary_phone or None,
        "name": user.name or None,
        "avatar": user.avatar or None,
        "customData": user.custom_data or {},
        "identities": {
            i.target: {"userId": i.external_user_id, "details": i.details or {}} for i in identities
        },
        "lastSignInAt": ms(user.last_sign_in_at),
        "createdAt": ms(user.created_at),
        "updatedAt": ms(user.updated_at),
        "profile": user.profile or {},
        "applicationId": user.application_id,
        "isSuspended": user.is_suspended,
        "hasPassword": user.has_usable_password(),
    }
    if include_hash:
        data["passwordDigest"], data["passwordAlgorithm"] = exported_digest(user.password)
    if include_sso:
        data["ssoIdentities"] = [
            {
                "tenantId": settings.LOGTO_TENANT_ID,
                "id": i.pk,
                "userId": user.pk,
                "issuer": i.issuer,
                "identityId": i.identity_id,
                "detail": i.details or {},
                "createdAt": ms(i.created_at),
                "updatedAt": ms(i.updated_at),
                "ssoConnectorId": i.connector_id,
            }
            for i in user.sso_identities.all()
        ]
    return data


def role_json(role: Role) -> dict:
    return {
        "tenantId": settings.LOGTO_TENANT_ID,
        "id": role.pk,
        "name": role.name,
        "description": role.description,
        "type": role.type,
        "isDefault": False,
    }


def _role_page(request, response, roles, page: int, page_size: int) -> list[dict]:
    """One page of `roles` by name, narrowed by the request's `search` (as Logto searches
    roles), with the page headers."""
    query = _parse_search(request, ROLE_SEARCH_FIELDS)
    if query.groups:
        roles = roles.filter(field_condition(query))
    total = roles.count()
    set_page_headers(request, response, page=page, page_size=page_size, total=total)
    offset = (page - 1) * page_size
    return [role_json(r) for r in roles.order_by("name", "id")[offset : offset + page_size]]


def _page_params(page, page_size) -> tuple[int, int]:
    """Logto's pagination (spec §5.1): page > 0, 0 < page_size <= 100; else 400."""
    try:
        page = 1 if page in (None, "") else int(page)
        page_size = 20 if page_size in (None, "") else int(page_size)
    except (TypeError, ValueError):
        raise ApiError(
            400, "guard.invalid_pagination", "page and page_size must be whole numbers."
        ) from None
    if page < 1 or page_size < 1 or page_size > MAX_PAGE_SIZE:
        raise ApiError(
            400,
            "guard.invalid_pagination",
            f"page must be at least 1 and page_size between 1 and {MAX_PAGE_SIZE}.",
        )
    if (page - 1) * page_size > MAX_OFFSET:
        raise ApiError(
            400,
            "guard.invalid_pagination",
            f"Pages end after {MAX_OFFSET:,} rows: narrow the search instead.",
        )
    return page, page_size


def search_params(request) -> list[tuple[str, str]]:
    """The query's search parameters, `search_params[search.x]=` (how @logto/api serialises
    them) unwrapped to `search.x=`."""
    items = []
    for key, values in request.GET.lists():
        if key.startswith("search_params[") and key.endswith("]"):
            key = key[len("search_params[") : -1]
        if key in ("search", "mode", "joint", "jointMode", "isCaseSensitive") or key.startswith(
            ("search.", "mode.")
        ):
            items.extend((key, v) for v in values)
    return items


def _parse_search(request, fields):
    try:
        return parse_field_query(search_params(request), fields)
    except InvalidSearch as error:
        raise ApiError(400, "request.invalid_input", str(error)) from None


# ValidationError codes / fields from the services -> Logto's codes and statuses.
_UNIQUE_CODES = {
    "username": "user.username_already_in_use",
    "primary_email": "user.email_already_in_use",
    "primary_phone": "user.phone_already_in_use",
    "identity": "user.identity_already_in_use",
    "name": "entity.unique_integrity_violation",
}
_API_FIELD_NAMES = {
    "primary_email": "primaryEmail",
    "primary_phone": "primaryPhone",
    "custom_data": "customData",
    "expires_at": "expiresAt",
}


@contextlib.contextmanager
def service_errors(*, unique_codes: dict | None = None):
    """Turn what a service refuses into Logto's error JSON; nothing here is a 5xx."""
    try:
        yield
    except ValidationError as error:
        raise _validation_error(error, unique_codes or {}) from None
    except ImportedDigestError as error:
        raise ApiError(400, error.code, error.message) from None
    except ServiceError as error:
        raise ApiError(error.status, error.code, error.message) from None


def _validation_error(error: ValidationError, unique_codes: dict) -> ApiError:
    if not hasattr(error, "error_dict"):
        code = error.code or "invalid"
        status = 422 if code in ("identifier_required", "invalid_role_type", "stale") else 400
        logto = {
            "identifier_required": "user.identifier_required",
            "invalid_role_type": "user.invalid_role_type",
        }.get(code, "request.invalid_input")
        return ApiError(status, logto, " ".join(error.messages))
    issues = {}
    for field, field_errors in error.error_dict.items():
        for item in field_errors:
            message = " ".join(item.messages)
            name = _API_FIELD_NAMES.get(field, field)
            if item.code == "unique":
                code = unique_codes.get(field) or _UNIQUE_CODES.get(field, "entity.unique")
                return ApiError(422, code, message, data={"field": name})
            if field == "password":  # Django's password validators (users.services)
                return ApiError(
                    422,
                    "password.rejected",
                    " ".join(error.message_dict.get(field, [message])),
                    data={"field": name},
                )
            if item.code == "invalid_phone":
                return ApiError(422, "user.invalid_phone", message, data={"field": name})
            issues.setdefault(name, []).append(message)
    details = "\n".join(f'Error in key path "{k}": {" ".join(v)}' for k, v in issues.items())
    return ApiError(
        400, "guard.invalid_input", "The request is invalid.", data=issues, details=details
    )


# --- GET /api/users, POST /api/users -----------------------------------------------------


@router.get("", response={200: list[s.User], **errors(404)}, exclude_unset=True)
def list_users(
    request: HttpRequest,
    response: HttpResponse,
    search: str | None = None,
    mode: str | None = None,
    joint: str | None = None,
    isCaseSensitive: str | None = None,
    page: str | None = None,
    page_size: str | None = None,
    excludeRoleId: str | None = None,
    excludeOrganizationId: str | None = None,
    includePasswordHash: str | None = None,
    status: str | None = None,
    roleId: str | None = None,
    organizationId: str | None = None,
    hasMfa: str | None = None,
    hasPassword: str | None = None,
    socialIdentity: str | None = None,
    createdFrom: str | None = None,
    createdTo: str | None = None,
    lastSignInFrom: str | None = None,
    lastSignInTo: str | None = None,
    neverSignedIn: str | None = None,
    inactiveDays: str | None = None,
    customData: str | None = None,
    sort: str | None = None,
):
    """Users, newest first. `search` / `search.<field>` / `mode[.<field>]` / `joint` /
    `isCaseSensitive` as Logto's grammar (spec §5.2); `search=%words%` is the console's search.
    Gatehouse extensions (docs/api.md): the console table's facets and sort (users.filters)."""
    page, page_size = _page_params(page, page_size)
    query = _parse_search(request, USER_SEARCH_FIELDS)
    facets = _facet_params(request)
    if excludeRoleId and excludeOrganizationId:
        raise ApiError(
            400, "request.invalid_input", "Use excludeRoleId or excludeOrganizationId, not both."
        )
    queryset = None
    if excludeRoleId:
        queryset = User.objects.exclude(role_assignments__role_id=excludeRoleId)
    elif excludeOrganizationId:
        queryset = User.objects.exclude(memberships__organization_id=excludeOrganizationId)
    filtered = filters.facet_queryset(facets, queryset)
    try:
        result = api_search_users(
            query,
            page=page,
            page_size=page_size,
            queryset=filtered,
            order=filters.ordering(facets["sort"]),
            cap_total=filtered is not queryset,
        )
    except InvalidSearch as error:
        raise ApiError(400, "request.invalid_input", str(error)) from None
    identities = {}
    for identity in Identity.objects.filter(user_id__in=[u.pk for u in result.users]):
        identities.setdefault(identity.user_id, []).append(identity)
    capped = result.total_kind != "exact"
    total = result.total + 1 if result.total_kind == "at_least" else result.total
    set_page_headers(request, response, page=page, page_size=page_size, total=total, capped=capped)
    include_hash = _flag(includePasswordHash)
    return [
        user_json(u, identities=identities.get(u.pk, []), include_hash=include_hash)
        for u in result.users
    ]


# Gatehouse's facets on GET /api/users: API name -> users.filters parameter (booleans as
# true/false, the console's yes/no), and the API's names for the sort keys.
_FACET_PARAMS = {
    "status": "status",
    "roleId": "role",
    "organizationId": "organization",
    "hasMfa": "mfa",
    "hasPassword": "password",
    "socialIdentity": "social",
    "createdFrom": "created_from",
    "createdTo": "created_to",
    "lastSignInFrom": "signed_in_from",
    "lastSignInTo": "signed_in_to",
    "neverSignedIn": "never_signed_in",
    "inactiveDays": "inactive_days",
    "customData": "data",
    "sort": "sort",
}
_YES_NO = {"true": "yes", "false": "no"}
_BOOLEAN_FACETS = {"hasMfa": _YES_NO, "hasPassword": _YES_NO, "neverSignedIn": {"true": "yes"}}
_API_SORTS = {
    "name": "name",
    "primaryEmail": "email",
    "createdAt": "created",
    "lastSignInAt": "last_sign_in",
}


def _facet_params(request) -> dict:
    """The facets and sort of the query, cleaned by users.filters; 400 guard.invalid_input
    naming the API parameters that are wrong."""
    params = {}
    for api_name, name in _FACET_PARAMS.items():
        value = request.GET.get(api_name)
        if value is None or value == "":
            continue
        if api_name in _BOOLEAN_FACETS:
            value = _BOOLEAN_FACETS[api_name].get(value.strip().lower(), value)
        elif api_name == "sort":
            key = value.removeprefix("-")
            value = value[: len(value) - len(key)] + _API_SORTS[key] if key in _API_SORTS else "?"
        params[name] = value
    form = filters.UserFilterForm(params)
    if form.is_valid():
        return form.cleaned_data
    api_names = {name: api_name for api_name, name in _FACET_PARAMS.items()}
    issues = {
        api_names.get(field, field): [str(message) for message in messages]
        for field, messages in form.errors.items()
    }
    details = "\n".join(f'Error in key path "{k}": {" ".join(v)}' for k, v in issues.items())
    raise ApiError(
        400, "guard.invalid_input", "The request is invalid.", data=issues, details=details
    )


@router.post("", response={200: s.User, **errors(413, 422)}, exclude_unset=True)
def create_user(request: HttpRequest, body: s.UserCreate):
    """Create a user (200, as Logto). A password passes the password policy; a digest from
    another system (passwordDigest + passwordAlgorithm) is verified at sign-in, then re-hashed."""
    if body.password is not None and body.passwordDigest is not None:
        raise ApiError(
            400, "user.password_and_digest", "Send password or passwordDigest, not both."
        )
    if body.passwordDigest is not None and body.passwordAlgorithm is None:
        raise ApiError(
            400, "user.password_algorithm_required", "passwordDigest needs passwordAlgorithm."
        )
    details = {
        key: value
        for key, value in {
            "name": body.name,
            "avatar": body.avatar,
            "custom_data": body.customData,
            "profile": body.profile.model_dump(exclude_none=True) if body.profile else None,
        }.items()
        if value is not None
    }
    with service_errors():
        user = services.create_user_with_details(
            origin=_origin(request),
            username=body.username,
            primary_email=body.primaryEmail,
            primary_phone=body.primaryPhone,
            password=body.password,
            password_digest=body.passwordDigest,
            password_algorithm=body.passwordAlgorithm,
            **details,
        )
    return Status(200, user_json(user, identities=[]))


# --- One user -----------------------------------------------------------------------------


@router.get("/{user_id}", response={200: s.User, **errors(404)}, exclude_unset=True)
def get_user(
    request: HttpRequest,
    user_id: str,
    includeSsoIdentities: str | None = None,
    includePasswordHash: str | None = None,
):
    user = _user(user_id)
    return user_json(
        user, include_sso=_flag(includeSsoIdentities), include_hash=_flag(includePasswordHash)
    )


@router.patch(
    "/{user_id}", response={200: s.User, **errors(404, 409, 413, 422)}, exclude_unset=True
)
def update_user(request: HttpRequest, user_id: str, body: s.UserUpdate):
    """Identifiers (`''` or null clears one), name, avatar; customData and profile are replaced."""
    user = _user(user_id)
    given = body.model_dump(exclude_unset=True)
    if not given:
        raise ApiError(422, "entity.invalid_input", "Nothing to update: the body is empty.")
    identifiers = {
        field: given[key]
        for key, field in (
            ("username", "username"),
            ("primaryEmail", "primary_email"),
            ("primaryPhone", "primary_phone"),
        )
        if key in given
    }
    details = {}
    if "name" in given:
        details["name"] = given["name"] or ""
    if "avatar" in given:
        details["avatar"] = given["avatar"] or ""
    if "customData" in given:
        details["custom_data"] = given["customData"] or {}
    if "profile" in given:
        details["profile"] = (
            body.profile.model_dump(exclude_none=True) if body.profile is not None else {}
        )
    with service_errors():
        user = services.update_user(
            user, origin=_origin(request), identifiers=identifiers, details=details
        )
    return user_json(user)


@router.delete("/{user_id}", response={204: None, **errors(404)})
def delete_user(request: HttpRequest, user_id: str):
    user = _user(user_id)
    with service_errors():
        services.delete_user(user, origin=_origin(request))
    return Status(204, None)


@router.get("/{user_id}/custom-data", response={200: dict, **errors(404)})
def get_custom_data(request: HttpRequest, user_id: str):
    return _user(user_id).custom_data or {}


@router.patch("/{user_id}/custom-data", response={200: dict, **errors(404, 413)})
def patch_custom_data(request: HttpRequest, user_id: str, body: s.CustomDataPatch):
    """Shallow merge: top-level keys replace the stored ones (a key set to null stays, as null)."""
    user = _user(user_id)
    with service_errors():
        user = services.merge_user_data(
            user, origin=_origin(request), field="custom_data", values=body.customData
        )
    return user.custom_data


@router.patch("/{user_id}/profile", response={200: dict, **errors(404, 413)})
def patch_profile(request: HttpRequest, user_id: str, body: s.ProfilePatch):
    """Shallow merge of the OIDC profile claims (an `address` sent replaces the stored one)."""
    user = _user(user_id)
    values = body.profile.model_dump(exclude_unset=True)
    with service_errors():
        user = services.merge_user_data(
            user, origin=_origin(request), field="profile", values=values
        )
    return user.profile


# --- Password, suspension -------------------------------------------------------------------


@router.patch("/{user_id}/password", response={200: s.User, **errors(404, 422)}, exclude_unset=True)
def set_password(request: HttpRequest, user_id: str, body: s.PasswordBody):
    """Set the password. Unlike Logto, the password policy applies (422 password.rejected)."""
    user = _user(user_id)
    with service_errors():
        user = services.set_password(user, origin=_origin(request), password=body.password)
    return user_json(user)


@router.patch(
    "/{user_id}/password/expiration", response={200: s.User, **errors(404)}, exclude_unset=True
)
def set_password_expiration(request: HttpRequest, user_id: str, body: s.PasswordExpiration):
    user = _user(user_id)
    with service_errors():
        user = services.set_password_expired(user, origin=_origin(request), expired=body.isExpired)
    return user_json(user)


@router.post("/{user_id}/password/verify", response={204: None, **errors(404, 422)})
def verify_password(request: HttpRequest, user_id: str, body: s.PasswordBody):
    user = _user(user_id)
    if not services.verify_password(user, body.password):
        raise ApiError(422, "session.invalid_credentials", "The password is not correct.")
    return Status(204, None)


@router.get("/{user_id}/has-password", response={200: s.HasPassword, **errors(404)})
def has_password(request: HttpRequest, user_id: str):
    return {"hasPassword": _user(user_id).has_usable_password()}


@router.patch("/{user_id}/is-suspended", response={200: s.User, **errors(404)}, exclude_unset=True)
def set_suspended(request: HttpRequest, user_id: str, body: s.Suspension):
    user = _user(user_id)
    with service_errors():
        if body.isSuspended:
            user = services.suspend_user(user, origin=_origin(request))
        else:
            user = services.reactivate_user(user, origin=_origin(request))
    return user_json(user)


# --- Roles of a user -------------------------------------------------------------------------


def _roles(role_ids: list[str]) -> list[Role]:
    ids = list(dict.fromkeys(role_ids))
    if any(not _ID_RE.match(i) for i in ids):
        raise ApiError(400, "guard.invalid_input", "Role ids are letters and digits.")
    found = {r.pk: r for r in Role.objects.filter(pk__in=ids)}
    for role_id in ids:
        if role_id not in found:
            raise ApiError(
                404, "entity.not_exists_with_id", f"The role with id {role_id} does not exist."
            )
    return [found[i] for i in ids]


@router.get("/{user_id}/roles", response={200: list[s.Role], **errors(404)})
def list_user_roles(
    request: HttpRequest,
    response: HttpResponse,
    user_id: str,
    search: str | None = None,
    page: str | None = None,
    page_size: str | None = None,
):
    user = _user(user_id)
    page, page_size = _page_params(page, page_size)
    roles = Role.objects.filter(assignments__user=user, type=Role.Type.USER)
    return _role_page(request, response, roles, page, page_size)


@router.post("/{user_id}/roles", response={201: s.RolesAdded, **errors(404, 422)})
def assign_roles(request: HttpRequest, user_id: str, body: s.RoleIds):
    """Add roles; those the user has already are skipped (not an error)."""
    user = _user(user_id)
    roles = _roles(body.roleIds)
    with service_errors():
        added = role_services.assign_roles(user, roles, origin=_origin(request))
    return Status(201, {"roleIds": body.roleIds, "addedRoleIds": [r.pk for r in added]})


@router.put("/{user_id}/roles", response={200: s.RolesSet, **errors(404, 422)})
def replace_roles(request: HttpRequest, user_id: str, body: s.RoleIds):
    """Make the user's roles exactly these."""
    user = _user(user_id)
    roles = _roles(body.roleIds)
    with service_errors():
        services.replace_roles(user, roles, origin=_origin(request))
    return {"roleIds": [r.pk for r in roles]}


@router.delete("/{user_id}/roles/{role_id}", response={204: None, **errors(404)})
def remove_role(request: HttpRequest, user_id: str, role_id: str):
    user = _user(user_id)
    role = Role.objects.filter(pk=role_id).first() if _ID_RE.match(role_id) else None
    if role is None:
        raise not_found("role assignment")
    with service_errors():
        removed = role_services.remove_role(user, role, origin=_origin(request))
    if not removed:
        raise not_found("role assignment")
    return Status(204, None)


# --- Organizations, identities, MFA ----------------------------------------------------------


@router.get("/{user_id}/organizations", response={200: list[s.Organization], **errors(404)})
def list_organizations(request: HttpRequest, user_id: str):
    user = _user(user_id)
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .prefetch_related("roles")
        .order_by("organization__name", "organization_id")
    )
    return [
        {
            "tenantId": settings.LOGTO_TENANT_ID,
            "id": m.organization.pk,
            "name": m.organization.name,
            "description": m.organization.description or None,
            "customData": m.organization.custom_data or {},
            "isMfaRequired": False,
            "color": {},
            "branding": {},
            "customCss": None,
            "createdAt": ms(m.organization.created_at),
            "organizationRoles": [
                {"id": r.pk, "name": r.name} for r in sorted(m.roles.all(), key=lambda r: r.name)
            ],
        }
        for m in memberships
    ]


@router.put(
    "/{user_id}/identities/{target}",
    response={200: dict[str, s.Identity], 201: dict[str, s.Identity], **errors(404, 422)},
)
def put_identity(request: HttpRequest, user_id: str, target: str, body: s.IdentityPut):
    """Link the social identity for `target` (201 when new, 200 when replaced)."""
    user = _user(user_id)
    with service_errors():
        created = services.set_identity(
            user,
            origin=_origin(request),
            target=target,
            external_user_id=body.userId,
            details=body.details,
        )
    identities = {
        i.target: {"userId": i.external_user_id, "details": i.details or {}}
        for i in user.identities.all()
    }
    return Status((201 if created else 200), identities)


@router.delete(
    "/{user_id}/identities/{target}", response={200: s.User, **errors(404)}, exclude_unset=True
)
def delete_identity(request: HttpRequest, user_id: str, target: str):
    """Unlink a social identity; answers the updated user (200, as Logto)."""
    user = _user(user_id)
    identity = Identity.objects.filter(user=user, target=target).first()
    if identity is None:
        raise ApiError(404, "user.identity_not_exist", "The user has no identity for this target.")
    with service_errors():
        services.remove_identity(identity, origin=_origin(request), confirm_lockout=True)
    return user_json(_user(user_id))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


@router.get("/{user_id}/mfa-verifications", response={200: list[s.MfaVerification], **errors(404)})
def list_mfa_verifications(request: HttpRequest, user_id: str):
    user = _user(user_id)
    out = []
    for factor in MfaFactor.objects.filter(user=user):
        item = {"id": factor.pk, "createdAt": _iso(factor.created_at), "type": factor.type}
        if factor.type == MfaFactor.Type.WEBAUTHN:
            item.update(
                lastUsedAt=_iso(factor.last_used_at),
                agent=str((factor.details or {}).get("agent", "")),
                name=factor.name or None,
            )
        elif factor.type == MfaFactor.Type.BACKUP_CODE:
            item["remainCodes"] = int((factor.details or {}).get("remainCodes", 0))
        out.append(item)
    return out


@router.post(
    "/{user_id}/mfa-verifications",
    response={200: s.TotpEnrolled | s.BackupCodesEnrolled, **errors(404, 422)},
)
def create_mfa_verification(
    request: HttpRequest, response: HttpResponse, user_id: str, body: s.MfaEnrol
):
    """Enrol an authenticator app (`Totp`, with `secret` or a generated one; the answer carries
    the secret and its QR code) or ten backup codes (`BackupCode`). The secret and the codes
    are in this response only: the secret is stored encrypted, the codes hashed."""
    user = _user(user_id)
    response["Cache-Control"] = "no-store"
    given = body.model_dump(exclude_unset=True)
    allowed = {"Totp": {"type", "secret"}, "BackupCode": {"type", "codes"}}.get(body.type)
    if allowed is None:
        raise ApiError(
            400,
            "guard.invalid_input",
            "type must be Totp or BackupCode (passkeys are enrolled by their owner).",
        )
    if extra := sorted(set(given) - allowed):
        raise ApiError(
            400, "guard.invalid_input", f"Not a field of a {body.type} factor: {', '.join(extra)}."
        )
    with service_errors():
        if body.type == "Totp":
            enrolled = services.enrol_totp(user, origin=_origin(request), secret=body.secret)
            uri = mfa.otpauth_uri(
                enrolled.secret, label=mfa.display_label(user), issuer=_host_name(request)
            )
            return {"type": "Totp", "secret": enrolled.secret, "secretQrCode": mfa.qr_data_uri(uri)}
        enrolled = services.enrol_backup_codes(user, origin=_origin(request), codes=body.codes)
        return {"type": "BackupCode", "codes": enrolled.codes}


def _host_name(request: HttpRequest) -> str:
    """The request's host without its port (the authenticator shows it as the issuer)."""
    return urlsplit(f"//{request.get_host()}").hostname or request.get_host()


@router.delete(
    "/{user_id}/mfa-verifications/{verification_id}", response={204: None, **errors(404)}
)
def delete_mfa_verification(request: HttpRequest, user_id: str, verification_id: str):
    user = _user(user_id)
    factor = MfaFactor.objects.filter(user=user, pk=verification_id).first()
    if factor is None:
        raise not_found("MFA verification")
    with service_errors():
        services.remove_mfa_factor(factor, origin=_origin(request))
    return Status(204, None)


# --- Personal access tokens ------------------------------------------------------------------


def token_json(token: PersonalAccessToken, value: str | None = None) -> dict:
    data = {
        "tenantId": settings.LOGTO_TENANT_ID,
        "userId": token.user_id,
        "name": token.name,
        "createdAt": ms(token.created_at),
        "expiresAt": ms(token.expires_at),
    }
    if value is not None:
        data["value"] = value
    return data


_TOKEN_UNIQUE = {"name": "user.personal_access_token_name_exists"}


@router.get(
    "/{user_id}/personal-access-tokens",
    response={200: list[s.PersonalAccessToken], **errors(404)},
    exclude_unset=True,
)
def list_tokens(request: HttpRequest, user_id: str):
    """The user's tokens, without their values (shown once, at creation; unlike Logto)."""
    user = _user(user_id)
    return [token_json(t) for t in PersonalAccessToken.objects.filter(user=user)]


@router.post(
    "/{user_id}/personal-access-tokens",
    response={201: s.PersonalAccessToken, **errors(404, 422)},
    exclude_unset=True,
)
def create_token(request: HttpRequest, user_id: str, body: s.TokenCreate):
    """A new token; its `value` is in this response only."""
    if not _ID_RE.match(user_id or "") or not User.objects.filter(pk=user_id).exists():
        raise ApiError(404, "entity.relation_foreign_key_not_found", "The user does not exist.")
    user = _user(user_id)
    expires_at = None
    if body.expiresAt is not None:
        try:
            expires_at = _EPOCH + timedelta(milliseconds=body.expiresAt)
        except OverflowError:
            raise ApiError(400, "request.invalid_input", "expiresAt is out of range.") from None
        if expires_at <= datetime.now(UTC):
            raise ApiError(400, "request.invalid_input", "expiresAt must be in the future.")
    with service_errors(unique_codes=_TOKEN_UNIQUE):
        created = services.create_personal_access_token(
            user, origin=_origin(request), name=body.name, expires_at=expires_at
        )
    response_value = created.value
    return Status(201, token_json(created.token, response_value))


def _token(user: User, name: str, code="entity.not_found") -> PersonalAccessToken:
    token = PersonalAccessToken.objects.filter(user=user, name=name).first()
    if token is None:
        raise ApiError(404, code, "The personal access token does not exist.")
    return token


def _rename(request, user_id: str, current: str, new: str) -> dict:
    user = _user(user_id)
    token = _token(user, current, "entity.not_exists")
    with service_errors(unique_codes=_TOKEN_UNIQUE):
        token = services.rename_personal_access_token(token, origin=_origin(request), name=new)
    return token_json(token)


@router.patch(
    "/{user_id}/personal-access-tokens",
    response={200: s.PersonalAccessToken, **errors(404, 422)},
    exclude_unset=True,
)
def rename_token(request: HttpRequest, user_id: str, body: s.TokenRename):
    return _rename(request, user_id, body.currentName or body.name, body.name)


@router.post("/{user_id}/personal-access-tokens/delete", response={204: None, **errors(404)})
def delete_token(request: HttpRequest, user_id: str, body: s.TokenName):
    user = _user(user_id)
    token = _token(user, body.name)
    with service_errors():
        services.delete_personal_access_token(token, origin=_origin(request))
    return Status(204, None)


@router.patch(
    "/{user_id}/personal-access-tokens/{name}",
    response={200: s.PersonalAccessToken, **errors(404, 422)},
    exclude_unset=True,
)
def rename_token_legacy(request: HttpRequest, user_id: str, name: str, body: s.TokenName):
    return _rename(request, user_id, name, body.name)


@router.delete("/{user_id}/personal-access-tokens/{name}", response={204: None, **errors(404)})
def delete_token_legacy(request: HttpRequest, user_id: str, name: str):
    user = _user(user_id)
    token = _token(user, name)
    with service_errors():
        services.delete_personal_access_token(token, origin=_origin(request))
    return Status(204, None)


# --- /api/roles ----------------------------------------------------------------------------


class RoleListQuery(Schema):
    type: str | None = None
    page: str | None = None
    page_size: str | None = None


@roles_router.get("", response={200: list[s.Role], **errors()})
def list_roles(request: HttpRequest, response: HttpResponse, filters: Query[RoleListQuery]):
    """Roles by name; `type=User` or `type=MachineToMachine` to list one kind; `search` as
    for a user's roles."""
    page, page_size = _page_params(filters.page, filters.page_size)
    roles = Role.objects.exclude(name__startswith="#internal:")
    if filters.type:
        if filters.type not in Role.Type.values:
            raise ApiError(400, "guard.invalid_input", "type must be User or MachineToMachine.")
        roles = roles.filter(type=filters.type)
    return _role_page(request, response, roles, page, page_size)


@roles_router.post("", response={200: s.Role, **errors(404, 413, 422)})
def create_role(request: HttpRequest, body: s.RoleCreate):
    """Create a role (200, as Logto), optionally with permissions (`scopeIds`)."""
    scopes = []
    if body.scopeIds:
        found = {x.pk: x for x in Scope.objects.filter(pk__in=body.scopeIds)}
        missing = [i for i in body.scopeIds if i not in found]
        if missing:
            raise ApiError(
                404, "entity.not_exists_with_id", f"The scope with id {missing[0]} does not exist."
            )
        scopes = list(found.values())
    with service_errors(unique_codes={"name": "role.name_in_use"}):
        role = role_services.create_role(
            origin=_origin(request),
            name=body.name,
            description=body.description,
            type=body.type,
            scopes=scopes,
        )
    return role_json(role)
