"""The OpenID provider's rules on top of oauth2_provider and oauthlib (settings: OAUTH2_PROVIDER).

- `OidcValidator` (OAUTH2_VALIDATOR_CLASS) extends the client-credentials validator with what end
  users need: the user row is re-read on every use of a code, refresh token or access token
  (suspended or deleted → refused, however the flag was set); claims come from the user's fields
  and `profile`; an access token for an API resource carries only the scopes the user's roles
  grant on it; every token exchange is audited with Logto's keys.
- `Server` (OIDC_SERVER_CLASS) adds Logto's token exchange of a personal access token
  (grant_type urn:ietf:params:oauth:grant-type:token-exchange).
- `Scopes` (SCOPES_BACKEND_CLASS): the OIDC scopes plus every API resource permission.
"""

import contextvars
import json

from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.grant_types.base import GrantTypeBase
from oauthlib.openid.connect.core.endpoints.pre_configured import Server as OidcServer

from audit.models import Log
from audit.recorder import Origin, record
from signin.validators import GatehouseValidator
from users.models import Scope, User
from users.tokens import user_for_personal_access_token

OIDC_SCOPES = ("openid", "profile", "email", "phone", "offline_access")
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
PAT_TOKEN_TYPE = "urn:logto:token-type:personal_access_token"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"

# Logto's keys (spec §7) per grant type.
EXCHANGE_KEYS = {
    "authorization_code": "AuthorizationCode",
    "refresh_token": "RefreshToken",
    TOKEN_EXCHANGE: "TokenExchange",
}

# The Django request being served (set by the token and authorize views): where audit rows get
# their IP and user agent; and the user a refused exchange was for (so the refusal is on their log).
current_request = contextvars.ContextVar("gatehouse_oidc_request", default=None)
refused_user = contextvars.ContextVar("gatehouse_oidc_refused_user", default=None)

# Profile claims stored camelCase in User.profile (Logto's wire form) -> OIDC claim names.
PROFILE_CLAIMS = {
    "givenName": "given_name",
    "familyName": "family_name",
    "middleName": "middle_name",
    "nickname": "nickname",
    "preferredUsername": "preferred_username",
    "profile": "profile",
    "website": "website",
    "gender": "gender",
    "birthdate": "birthdate",
    "zoneinfo": "zoneinfo",
    "locale": "locale",
    "address": "address",
}


def user_is_active(user) -> bool:
    """Re-read the row: the user still exists and is not suspended (whoever set the flag, how)."""
    if user is None or user.pk is None:
        return False
    return User.objects.filter(pk=user.pk, is_suspended=False).exists()


def user_claims(user: User) -> dict:
    """Every claim we can state about the user (the scopes decide which are released)."""
    profile = user.profile if isinstance(user.profile, dict) else {}
    claims = {
        "name": user.name or None,
        "picture": user.avatar or None,
        "username": user.username,
        "preferred_username": user.username,
        "email": user.primary_email,
        "email_verified": bool(user.primary_email),
        "phone_number": user.primary_phone,
        "phone_number_verified": bool(user.primary_phone),
        "updated_at": int(user.updated_at.timestamp()) if user.updated_at else None,
    }
    for stored, claim in PROFILE_CLAIMS.items():
        value = profile.get(stored)
        if value not in (None, "", {}):
            claims[claim] = _snake_keys(value) if isinstance(value, dict) else value
    return {k: v for k, v in claims.items() if v is not None}


def _snake_keys(value: dict) -> dict:
    """address.postalCode -> postal_code, streetAddress -> street_address (OIDC's names)."""
    out = {}
    for key, item in value.items():
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in key)
        out[snake] = item
    return out


def resource_scopes(user, indicator: str, requested) -> list[str]:
    """Of the scopes asked for, those the user's roles grant on the API resource."""
    wanted = {s for s in requested if s not in OIDC_SCOPES}
    if not wanted:
        return []
    granted = Scope.objects.filter(
        resource__indicator=indicator,
        name__in=wanted,
        roles__type="User",
        roles__assignments__user=user,
    ).values_list("name", flat=True)
    return sorted(set(granted))


def _origin(channel: str, application=None) -> Origin:
    request = current_request.get()
    app_id = getattr(application, "pk", "") or ""
    if request is None:
        return Origin(channel=channel, actor_label=app_id, application_id=app_id)
    origin = Origin.from_request(request, channel=channel, application_id=app_id)
    # An end user's own act: the actor is the application, never a console admin's session.
    return Origin(
        channel=channel,
        actor_label=app_id,
        application_id=app_id,
        ip=origin.ip,
        user_agent=origin.user_agent,
    )


def record_exchange(grant_type, *, user, application, error: str = "") -> None:
    """One `ExchangeTokenBy.<By>` row for a code, refresh or token exchange (Success or Error)."""
    by = EXCHANGE_KEYS.get(grant_type)
    if by is None:
        return
    payload = {"grantType": grant_type}
    if error:
        payload["error"] = error
    record(
        by,
        origin=_origin("ExchangeTokenBy", application),
        user=user
        if user is not None and user.pk and User.objects.filter(pk=user.pk).exists()
        else None,
        result=Log.Result.ERROR if error else Log.Result.SUCCESS,
        payload=payload,
    )


class _AllScopes(dict):
    """Descriptions of the OIDC scopes; any other (a resource permission) describes itself."""

    def __missing__(self, key):
        return key


class Scopes:
    """SCOPES_BACKEND_CLASS: the OIDC scopes, and API resource permissions (narrowed later to
    what the user's roles grant, in OidcValidator._save_bearer_token)."""

    def get_all_scopes(self):
        from oauth2_provider.settings import oauth2_settings

        return _AllScopes(oauth2_settings.SCOPES)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        names = set(Scope.objects.values_list("name", flat=True).distinct())
        return [*OIDC_SCOPES, *sorted(names - set(OIDC_SCOPES))]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return ["openid"]


class OidcValidator(GatehouseValidator):
    oidc_claim_scope = {
        "sub": "openid",
        "name": "profile",
        "picture": "profile",
        "username": "profile",
        "preferred_username": "profile",
        "given_name": "profile",
        "family_name": "profile",
        "middle_name": "profile",
        "nickname": "profile",
        "profile": "profile",
        "website": "profile",
        "gender": "profile",
        "birthdate": "profile",
        "zoneinfo": "profile",
        "locale": "profile",
        "updated_at": "profile",
        "address": "profile",
        "email": "email",
        "email_verified": "email",
        "phone_number": "phone",
        "phone_number_verified": "phone",
    }

    # --- The user, re-checked on every use -------------------------------------------------

    def _refuse_user(self, user, request) -> bool:
        refused_user.set(user)
        request.oauth2_error = {
            "error": "invalid_grant",
            "error_description": "The user is not active.",
        }
        return False

    def validate_user_for_grant(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is not None and not user_is_active(user):
            return self._refuse_user(user, request)
        return True

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        return self.validate_user_for_grant(request)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        ok = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        if not ok:
            # Reused, revoked or foreign: the refusal still belongs on its user's log.
            from oauth2_provider.models import get_refresh_token_model

            from signin.tokens import checksum

            found = (
                get_refresh_token_model()
                .objects.filter(token_checksum=checksum(refresh_token))
                .select_related("user")
                .first()
            )
            refused_user.set(found.user if found is not None else None)
            return False
        return self.validate_user_for_grant(request)

    def validate_bearer_token(self, token, scopes, request):
        if not super().validate_bearer_token(token, scopes, request):
            return False
        user = getattr(request, "user", None)
        if user is not None and not user_is_active(user):
            request.oauth2_error = {
                "error": "invalid_token",
                "error_description": "The access token is invalid.",
            }
            return False
        return True

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        if not user_is_active(request.user):
            raise errors.AccessDeniedError(request=request)
        saved = super().save_authorization_code(client_id, code, request, *args, **kwargs)
        # The grant's row on the Sessions tab, with the browser's IP and user agent.
        from signin import sessions

        sessions.touch_grant(request.user, request.client, request=current_request.get())
        return saved

    def validate_silent_login(self, request):
        """prompt=none: only with a live end-user session (the authorize view checked it)."""
        django_request = current_request.get()
        user = getattr(django_request, "user", None)
        return bool(user is not None and user.is_authenticated)

    def validate_silent_authorization(self, request):
        """prompt=none: first-party apps need no consent; third-party ones always ask."""
        return request.client is not None and not request.client.is_third_party

    # --- Scopes and resources --------------------------------------------------------------

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if request.grant_type == "client_credentials":
            return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)
        # Only apps users sign in through; unknown resource permissions are dropped later.
        if client is None or not client.signs_users_in:
            return False
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        if request.grant_type != "client_credentials" and request.user is not None:
            if not user_is_active(request.user):
                self._refuse_user(request.user, request)
                raise errors.InvalidGrantError(
                    description="The user is not active.", request=request
                )
            self._check_and_set_request_resource(request)
            requested = token["scope"].split()
            scopes = [s for s in requested if s in OIDC_SCOPES]
            for indicator in request.resource or []:
                scopes += resource_scopes(request.user, indicator, requested)
            token["scope"] = " ".join(dict.fromkeys(scopes))
            if "offline_access" not in scopes:
                token.pop("refresh_token", None)  # as Logto: refresh tokens need offline_access
        saved = super()._save_bearer_token(token, request, *args, **kwargs)
        if request.grant_type in EXCHANGE_KEYS:
            record_exchange(request.grant_type, user=request.user, application=request.client)
            if request.grant_type != TOKEN_EXCHANGE:
                _touch_grant(request.user, request.client)
        return saved

    # --- Claims ----------------------------------------------------------------------------

    def get_additional_claims(self, request):
        return user_claims(request.user)

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        signed_in_at = (
            User.objects.filter(pk=request.user.pk)
            .values_list("last_sign_in_at", flat=True)
            .first()
        )
        if signed_in_at:
            claims["auth_time"] = int(signed_in_at.timestamp())
        return claims, expiration_time

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        if request.client is not None and request.user is not None:
            _touch_grant(request.user, request.client)
        return claims

    # --- Introspection (RFC 7662) ------------------------------------------------------------

    def introspect_token(self, token, token_type_hint, request, *args, **kwargs):
        """Active access or refresh tokens of the asking client only; a suspended or deleted
        user's tokens are inactive."""
        from oauth2_provider.models import get_access_token_model, get_refresh_token_model

        from signin.tokens import checksum

        if not isinstance(token, str) or not token or len(token) > 512 or "\x00" in token:
            return None
        digest = checksum(token)
        found = None
        if token_type_hint != "refresh_token":
            access = (
                get_access_token_model()
                .objects.select_related("user", "application")
                .filter(token_checksum=digest)
                .first()
            )
            if access is not None and access.is_valid():
                found = access
        if found is None and token_type_hint != "access_token":
            refresh = (
                get_refresh_token_model()
                .objects.select_related("user", "application", "access_token")
                .filter(token_checksum=digest, revoked__isnull=True)
                .first()
            )
            if refresh is not None:
                found = refresh
        if found is None or found.application_id != request.client.pk:
            return None
        if found.user is not None and not user_is_active(found.user):
            return None
        claims = {
            "client_id": found.application.client_id,
            "token_type": "refresh_token" if hasattr(found, "access_token_id") else "Bearer",
        }
        expires = getattr(found, "expires", None)
        if expires is not None:
            claims["exp"] = int(expires.timestamp())
            claims["scope"] = found.scope
            if found.resource:
                claims["aud"] = found.resource
        if found.user is not None:
            claims["sub"] = found.user.pk
            claims["username"] = found.user.username or ""
        return claims


def _touch_grant(user, application) -> None:
    """Note the application's use of its grant on the user's Sessions tab (signin.sessions)."""
    if user is None or application is None:
        return
    from signin import sessions

    sessions.touch_grant(user, application, request=None)


# --- Token exchange of a personal access token (Logto) ----------------------------------------


class PersonalAccessTokenExchange(GrantTypeBase):
    """grant_type=urn:ietf:params:oauth:grant-type:token-exchange with
    subject_token=<PAT>, subject_token_type=urn:logto:token-type:personal_access_token: an access
    token for the PAT's user, only while the PAT is unexpired and its user active. An application
    users sign in through asks (confidential ones authenticate); no refresh token is issued."""

    def create_token_response(self, request, token_handler):
        headers = self._get_default_headers()
        try:
            self.validate_token_request(request)
        except errors.OAuth2Error as error:
            headers.update(error.headers)
            return headers, error.json, error.status_code
        token = token_handler.create_token(request, refresh_token=False)
        token["issued_token_type"] = ACCESS_TOKEN_TYPE
        for modifier in self._token_modifiers:
            token = modifier(token, token_handler, request)
        self.request_validator.save_token(token, request)
        return headers, json.dumps(token), 200

    def validate_token_request(self, request):
        params = dict(request.decoded_body or [])
        subject_token = params.get("subject_token")
        if not subject_token or not params.get("subject_token_type"):
            raise errors.InvalidRequestError(
                description="subject_token and subject_token_type are required.", request=request
            )
        if params["subject_token_type"] != PAT_TOKEN_TYPE:
            raise errors.InvalidRequestError(
                description=f"subject_token_type must be {PAT_TOKEN_TYPE}.", request=request
            )
        validator = self.request_validator
        if validator.client_authentication_required(request):
            if not validator.authenticate_client(request):
                raise errors.InvalidClientError(request=request)
        elif not validator.authenticate_client_id(request.client_id, request):
            raise errors.InvalidClientError(request=request)
        if request.client is None or not request.client.signs_users_in:
            raise errors.UnauthorizedClientError(request=request)
        user = user_for_personal_access_token(subject_token)
        if user is None:
            raise errors.InvalidGrantError(
                description="The personal access token is invalid or expired, or its user is suspended.",
                request=request,
            )
        request.user = user
        request.scopes = [s for s in (request.scope or "").split() if s] or ["openid"]
        if not validator.validate_scopes(
            request.client_id, request.scopes, request.client, request
        ):
            raise errors.InvalidScopeError(request=request)


class Server(OidcServer):
    """oauthlib's OpenID Connect server plus the personal-access-token exchange."""

    def __init__(self, request_validator, *args, **kwargs):
        super().__init__(request_validator, *args, **kwargs)
        self.token_exchange_grant = PersonalAccessTokenExchange(request_validator)
        self._grant_types[TOKEN_EXCHANGE] = self.token_exchange_grant
