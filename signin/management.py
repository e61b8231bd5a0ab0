"""Machine-to-machine access to the Management API: issuing its access tokens and checking them.

Tokens are oauth2_provider AccessTokens (the same rows /oidc/token writes): 256 random bits, only
their SHA-256 stored, bound to the Management API indicator, scope `all`. Every request re-checks
what could have changed since the token was issued, in one query: the token exists and has not
expired, its application still exists, is machine-to-machine and has not rotated its secret since,
and still holds a machine-to-machine role carrying scope `all` of the Management API resource.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from ninja.security import HttpBearer
from oauth2_provider.models import get_access_token_model, set_token_value

from audit.recorder import Origin
from signin.tokens import checksum, generate_access_token
from users.access.applications import assign_application_roles
from users.access.resources import create_resource, create_scope
from users.access.roles import create_role
from users.models import ApiResource, Application, ApplicationRole, Role, Scope

MANAGEMENT_SCOPE = "all"
MANAGEMENT_ROLE_NAME = "Management API access"
MANAGEMENT_RESOURCE_NAME = "Logto Management API"
# A real token is 43 characters; anything much longer is not worth hashing.
MAX_TOKEN_LENGTH = 512


class ManagementAuthError(Exception):
    """A refused Management API credential: the HTTP status and Logto's error code."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _unauthorized(message="Unauthorized. Please check the credentials and their scope."):
    return ManagementAuthError(401, "auth.unauthorized", message)


def _granting_roles():
    """M2M roles that carry scope `all` of the Management API resource."""
    return Role.objects.filter(
        type=Role.Type.MACHINE_TO_MACHINE,
        scopes__name=MANAGEMENT_SCOPE,
        scopes__resource__indicator=settings.MANAGEMENT_API_INDICATOR,
    )


def application_for_token(token: str) -> Application:
    """The application a Management API token belongs to, or ManagementAuthError (401/403)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _unauthorized()
    digest = checksum(token)
    holds_access = Exists(
        ApplicationRole.objects.filter(
            application=OuterRef("application"), role__in=_granting_roles()
        )
    )
    found = (
        get_access_token_model()
        .objects.select_related("application")
        .annotate(holds_access=holds_access)
        .filter(token_checksum=digest, application__isnull=False, user__isnull=True)
        .first()
    )
    if found is None or not secrets.compare_digest(found.token_checksum, digest):
        raise _unauthorized()
    app = found.application
    if found.is_expired():
        raise _unauthorized("The access token has expired.")
    if (
        not app.is_machine_to_machine
        or (app.secret_rotated_at is not None and found.created < app.secret_rotated_at)
        or settings.MANAGEMENT_API_INDICATOR not in (found.resource or [])
    ):
        raise _unauthorized()
    if MANAGEMENT_SCOPE not in found.scope.split() or not found.holds_access:
        raise ManagementAuthError(403, "auth.forbidden", "Forbidden: the token lacks scope `all`.")
    return app


class ManagementApiAuth(HttpBearer):
    """NinjaAPI(auth=ManagementApiAuth()): a bearer token for an application allowed in.

    Sets request.management_app. Every refusal raises ManagementAuthError (the API renders it
    as Logto's `{code, message}`), a missing header included.
    """

    def __call__(self, request):
        header = request.headers.get(self.header)
        if not header:
            raise ManagementAuthError(
                401, "auth.authorization_header_missing", "Authorization header is missing."
            )
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            raise ManagementAuthError(
                401,
                "auth.authorization_token_type_not_supported",
                "Authorization type is not supported: use Bearer.",
            )
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        app = application_for_token(token)
        request.management_app = app
        return app


def issue_access_token(application: Application, *, scope: str = MANAGEMENT_SCOPE):
    """A new Management API access token for the application: (raw token, expires_in seconds).

    Only its SHA-256 is stored. The token endpoint issues the same rows through oauth2_provider.
    """
    seconds = settings.MANAGEMENT_API_TOKEN_SECONDS
    raw = generate_access_token()
    token = get_access_token_model()(
        user=None,
        application=application,
        scope=scope,
        expires=timezone.now() + timedelta(seconds=seconds),
        resource=[settings.MANAGEMENT_API_INDICATOR],
    )
    set_token_value(token, raw)
    token.save()
    return raw, seconds


def management_role(*, origin: Origin) -> Role:
    """The role that opens the Management API (seeded by a migration; made again if deleted)."""
    role = _granting_roles().order_by("created_at", "id").first()
    if role is not None:
        return role
    with transaction.atomic():
        resource = ApiResource.objects.filter(indicator=settings.MANAGEMENT_API_INDICATOR).first()
        if resource is None:
            resource = create_resource(
                origin=origin,
                name=MANAGEMENT_RESOURCE_NAME,
                indicator=settings.MANAGEMENT_API_INDICATOR,
            )
        scope = Scope.objects.filter(resource=resource, name=MANAGEMENT_SCOPE).first()
        if scope is None:
            scope = create_scope(
                resource,
                origin=origin,
                name=MANAGEMENT_SCOPE,
                description="Every Management API operation.",
            )
        name = MANAGEMENT_ROLE_NAME
        if Role.objects.filter(name__iexact=name).exists():
            name = f"{MANAGEMENT_ROLE_NAME} ({resource.indicator})"
        return create_role(
            origin=origin,
            name=name,
            description="Full access to the Management API.",
            type=Role.Type.MACHINE_TO_MACHINE,
            scopes=[scope],
        )


def grant_management_access(application: Application, *, origin: Origin) -> None:
    """Give the application the "Management API access" role (audited; nothing if it has it)."""
    assign_application_roles(application, [management_role(origin=origin)], origin=origin)
