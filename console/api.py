"""The Management API (/api): Logto's contract, assembled from the routers of users/ and audit/.

- Authentication: a bearer token from /oidc/token (signin.management), on every route but the
  docs; no sessions, no cookies, so no CSRF surface.
- Every non-2xx answer is JSON `{code, message, details?, data?}` with Logto's codes; 204 is empty.
- Nothing under /api redirects: unknown paths (trailing slash included) are 404 JSON, so a client
  that follows redirects never loses its method or body.
- Bodies: at most MAX_BODY_BYTES, valid JSON, no NaN/Infinity, no NUL or lone surrogates.
"""

import json
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.parser import Parser

from audit.api import LogError
from audit.api import router as logs_router
from audit.recorder import MAX_USER_AGENT, Origin, client_ip
from signin.api import router as sessions_router
from signin.management import ManagementApiAuth, ManagementAuthError
from users.api import ApiError, roles_router
from users.api import router as users_router

MAX_BODY_BYTES = 64 * 1024  # custom data is at most 32 KiB; nothing else comes close


def api_origin(request) -> Origin:
    """Who acts through the API: the M2M application the token belongs to, from where."""
    app = request.management_app
    # The application's id (Logto's applicationId; audit.Log.application_id holds 21 characters),
    # not its longer OAuth client_id.
    return Origin(
        channel="ManagementApi",
        actor=None,
        actor_label=app.name or app.pk,
        application_id=app.pk,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:MAX_USER_AGENT],
    )


class _Auth(ManagementApiAuth):
    def authenticate(self, request, token):
        app = super().authenticate(request, token)
        request.api_origin = api_origin(request)
        return app


def _reject_constant(name):
    raise ApiError(400, "guard.invalid_input", f"{name} is not a JSON number we accept.")


def _check_text(value, path="body"):
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ApiError(400, "guard.invalid_input", f"{where} contains a NUL character.")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(
                    400, "guard.invalid_input", f"{where} contains a lone surrogate."
                ) from None
        elif isinstance(item, dict):
            stack.extend((k, f"{where} key") for k in item)
            stack.extend((v, f"{where}.{k}") for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))


class StrictJsonParser(Parser):
    """JSON bodies only, bounded, and only what PostgreSQL's jsonb can store."""

    def parse_body(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            raise ApiError(413, "request.too_large", f"Bodies are at most {MAX_BODY_BYTES} bytes.")
        body = request.body
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, "request.too_large", f"Bodies are at most {MAX_BODY_BYTES} bytes.")
        if not body.strip():
            return {}
        try:
            data = json.loads(body, parse_constant=_reject_constant)
        except ApiError:
            raise
        except (ValueError, RecursionError) as error:
            raise ApiError(
                400, "guard.invalid_input", f"The body is not valid JSON: {error}."
            ) from None
        _check_text(data)
        return data


api = NinjaAPI(
    title="Gatehouse Management API",
    version="1.0.0",
    description=(
        "Logto-compatible Management API. Get a token with the client credentials grant at "
        "`POST /oidc/token` (resource = the Management API indicator, scope `all`), then send "
        "`Authorization: Bearer <token>`. Errors are `{code, message}`."
    ),
    auth=_Auth(),
    urls_namespace="api",
    parser=StrictJsonParser(),
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/users", users_router)
api.add_router("/users", sessions_router)
api.add_router("/roles", roles_router)
api.add_router("", logs_router)


def _error(request, status, code, message, *, details=None, data=None):
    body = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    if data is not None:
        body["data"] = data
    return api.create_response(request, body, status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, details=exc.details, data=exc.data)


@api.exception_handler(LogError)
def _log_error(request, exc: LogError):
    return _error(request, exc.status, exc.code, exc.message)


@api.exception_handler(ManagementAuthError)
def _auth_error(request, exc: ManagementAuthError):
    response = _error(request, exc.status, exc.code, exc.message)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="Management API"'
    return response


@api.exception_handler(AuthenticationError)
def _no_credentials(request, exc):
    return _auth_error(
        request,
        ManagementAuthError(
            401, "auth.authorization_header_missing", "Authorization header is missing."
        ),
    )


@api.exception_handler(NinjaValidationError)
def _invalid_input(request, exc: NinjaValidationError):
    issues = []
    for error in exc.errors:
        location = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "payload"))
        issues.append({"path": location, "code": error.get("type"), "message": error.get("msg")})
    details = "\n".join(
        f'Error in key path "{i["path"]}": ({i["code"]}) {i["message"]}' for i in issues
    )
    return _error(
        request, 400, "guard.invalid_input", "The request is invalid.", details=details, data=issues
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return _error(request, 413, "request.too_large", f"Bodies are at most {MAX_BODY_BYTES} bytes.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "entity.not_found", "Not found.")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, ApiError):  # ninja wraps what our body parser refused
        return _api_error(request, exc.__cause__)
    return _error(request, exc.status_code, "request.invalid_input", str(exc))


def _api_view(view):
    """Open to anonymous requests (the token is checked by the API, not the console's session
    middleware), no CSRF (no cookies are used), and a JSON 405."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = JsonResponse(
                {"code": "request.method_not_allowed", "message": f"Allowed: {allowed}."},
                status=405,
            )
            response["Allow"] = allowed
        return response

    return login_not_required(csrf_exempt(wrapped))


# Swagger UI sets inline styles: the docs page (only) may use them.
_DOCS_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}


def _patterns():
    patterns, _app, _namespace = api.urls
    out = []
    for pattern in patterns:
        callback = _api_view(pattern.callback)
        if pattern.name == "api-root":
            # ninja's root redirects to the docs; ours is a 404 like any unknown path (the name
            # stays: ninja reverses it to find the API's prefix).
            callback = unknown_path
        if pattern.name == "openapi-view":
            callback = csp_override(_DOCS_CSP)(callback)
        pattern.callback = callback
        out.append(pattern)
    return out


@login_not_required
@csrf_exempt
def unknown_path(request, rest=""):
    return JsonResponse(
        {"code": "entity.not_found", "message": f"No API route at {request.path[:200]}."},
        status=404,
    )


urlpatterns = [
    path("api/", include((_patterns(), "api"), namespace="api")),
    re_path(r"^api(?:/(?P<rest>.*))?\Z", unknown_path),
]
