"""The OpenID provider's endpoints: oauth2_provider's views with our sign-in, consent, checks and
audit. Issuer `{base}/oidc`; paths as Logto's (see docs/oidc.md).

- /oidc/auth: the authorization endpoint. Not signed in (or the end-user session was ended) →
  /sign-in; a third-party application → /consent; errors about the client or redirect URI are
  shown here and never redirected.
- /oidc/token: signin.views.token (client credentials, code, refresh, token exchange), with each
  refused exchange audited.
- /oidc/me (userinfo), /oidc/jwks, /oidc/.well-known/openid-configuration, /oidc/session/end,
  /oidc/token/introspection, /oidc/token/revocation.
"""

import base64
import contextlib
import json
from urllib.parse import unquote

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedRedirect
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.views.mixins import OAuthLibMixin

from signin import oidc, sessions
from signin import views as token_views
from signin.pages import allow_form_redirect
from users.models import Application


def _end_user(request):
    """The signed-in end user, if their sign-in session is still live (re-read each request)."""
    if not request.user.is_authenticated:
        return None
    row = sessions.touch_session(request)
    if row is None:
        if sessions.SESSION_ROW_KEY in request.session:
            logout(request)  # ended by an admin, suspension or lock-down: the browser is out
        return None
    return row.user


@method_decorator(never_cache, name="dispatch")
class AuthorizeView(dot_views.AuthorizationView):
    template_name = "signin/consent.html"
    login_url = "/sign-in"
    consent_page = False

    def dispatch(self, request, *args, **kwargs):
        user = _end_user(request)
        request.user = user if user is not None else AnonymousUser()
        token = oidc.current_request.set(request)
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            oidc.current_request.reset(token)

    def handle_no_permission(self):
        # Validate the client and redirect URI before anything else: a bad one is shown here,
        # never redirected to; prompt=none goes back to the client (oauth2_provider's rule).
        if "none" not in self.request.GET.get("prompt", "").split():
            try:
                self.validate_authorization_request(self.request)
            except OAuthToolkitError as error:
                return self.error_response(error, application=None)
        return super().handle_no_permission()

    def get(self, request, *args, **kwargs):
        if not self.consent_page:
            app = _application(request.GET.get("client_id"))
            if app is not None and app.is_third_party:
                try:
                    self.validate_authorization_request(request)
                except OAuthToolkitError as error:
                    return self.error_response(error, application=None)
                return redirect(f"/consent?{request.META.get('QUERY_STRING', '')}")
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            redirect_uri = request.GET.get("redirect_uri", "")
            app = _application(request.GET.get("client_id"))
            if app is not None and redirect_uri in app.redirect_uris.split():
                allow_form_redirect(response, redirect_uri)
        return response

    def render_to_response(self, context, **response_kwargs):
        if "error" in context:
            self.template_name = "signin/error.html"
        return super().render_to_response(context, **response_kwargs)


class ConsentView(AuthorizeView):
    """/consent: a third-party application asks; the user allows or denies (POSTs here)."""

    consent_page = True


def _application(client_id):
    if (
        not isinstance(client_id, str)
        or not client_id
        or len(client_id) > 100
        or "\x00" in client_id
    ):
        return None
    return Application.objects.filter(client_id=client_id).first()


authorize = login_not_required(AuthorizeView.as_view())
consent = login_not_required(ConsentView.as_view())


@csrf_exempt
@login_not_required
def token(request):
    """POST /oidc/token: signin.views.token, plus an audit row for every refused code, refresh
    or token exchange (successes are audited where the tokens are saved)."""
    grant_type = request.POST.get("grant_type", "") if request.method == "POST" else ""
    marker = oidc.current_request.set(request)
    refused = oidc.refused_user.set(None)
    try:
        response = token_views.token(request)
        if response.status_code >= 400 and grant_type in oidc.EXCHANGE_KEYS:
            oidc.record_exchange(
                grant_type,
                user=oidc.refused_user.get(),
                application=_application(_client_id(request)),
                error=_error_code(response),
            )
        return response
    finally:
        oidc.refused_user.reset(refused)
        oidc.current_request.reset(marker)


def _client_id(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return ""
        return unquote(decoded.partition(":")[0])
    return request.POST.get("client_id", "")


def _error_code(response) -> str:
    try:
        return str(json.loads(response.content).get("error", "error"))[:64]
    except (ValueError, AttributeError):
        return "error"


@method_decorator(never_cache, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
class UserInfoView(dot_views.UserInfoView):
    """GET/POST /oidc/me: the claims the token's scopes release; a suspended or deleted user's
    token is refused (OidcValidator.validate_bearer_token re-reads the user)."""


userinfo = csrf_exempt(UserInfoView.as_view())


@method_decorator(login_not_required, name="dispatch")
class DiscoveryView(dot_views.ConnectDiscoveryInfoView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        base = data["issuer"]
        data.update(
            {
                "scopes_supported": list(oidc.OIDC_SCOPES),
                "claims_supported": ["sub", *oidc.OidcValidator.oidc_claim_scope.keys() - {"sub"}],
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": [
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                    oidc.TOKEN_EXCHANGE,
                ],
                "introspection_endpoint": f"{base}/token/introspection",
                "revocation_endpoint": f"{base}/token/revocation",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )
        data["claims_supported"] = sorted(data["claims_supported"])
        out = JsonResponse(data)
        out["Access-Control-Allow-Origin"] = "*"
        return out


discovery = DiscoveryView.as_view()
jwks = login_not_required(dot_views.JwksInfoView.as_view())
server_metadata = login_not_required(dot_views.OAuthServerMetadataView.as_view())


@method_decorator(login_not_required, name="dispatch")
class EndSessionView(dot_views.RPInitiatedLogoutView):
    """/oidc/session/end: RP-initiated logout; the end-user session row ends too. The
    post-logout redirect must be one the application registered (strict), else none."""

    template_name = "signin/sign_out.html"

    def do_logout(
        self, application=None, post_logout_redirect_uri=None, state=None, token_user=None
    ):
        sessions.end_browser_session(self.request, reason="signed_out")
        if post_logout_redirect_uri:
            return super().do_logout(application, post_logout_redirect_uri, state, token_user)
        # Its fallback redirect to "/" (https only) is built after the sign-out is done.
        with contextlib.suppress(DisallowedRedirect):
            super().do_logout(application, None, state, token_user)
        return redirect("signin:signed-in")  # our own page, not the console's front door

    def render_to_response(self, context, **response_kwargs):
        if "error" in context:
            self.template_name = "signin/error.html"
            error = context["error"]
            context["error"] = {
                "error": getattr(error, "error", "invalid_request"),
                "description": getattr(error, "description", ""),
            }
        return super().render_to_response(context, **response_kwargs)


end_session = EndSessionView.as_view()


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class IntrospectionView(OAuthLibMixin, View):
    """POST /oidc/token/introspection (RFC 7662): confidential clients, their own tokens."""

    def post(self, request, *args, **kwargs):
        app = _application(_client_id(request))
        if app is None or app.client_type != Application.CLIENT_CONFIDENTIAL:
            return JsonResponse(
                {"error": "invalid_client", "error_description": "Confidential clients only."},
                status=401,
            )
        core = self.get_oauthlib_core()
        uri, http_method, body, headers = core._extract_params(request)
        headers, body, status = core.server.create_introspect_response(
            uri, http_method, body, headers
        )
        response = JsonResponse(json.loads(body or "{}"), status=status)
        for key, value in headers.items():
            if key.lower() != "content-type":
                response[key] = value
        return response


introspection = IntrospectionView.as_view()


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
class RevocationView(dot_views.RevokeTokenView):
    """POST /oidc/token/revocation (RFC 7009)."""


revocation = RevocationView.as_view()
