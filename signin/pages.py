"""End-user pages: /sign-in (plain forms, no JavaScript needed) and what they share with /consent.

Signing in is Django's login() (session id rotated) plus an end-user session row
(signin.sessions.start_session) that the authorize endpoint re-checks on every visit, so an
admin who ends the session, suspends or locks the user down signs the browser out.
"""

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from audit.recorder import Origin
from signin import sessions
from signin.forms import SignInForm
from users import services
from users.models import Application

# Where a successful sign-in may continue: the authorize and consent endpoints, nowhere else.
NEXT_PATHS = ("/oidc/auth", "/consent")
MAX_NEXT_LENGTH = 8192


def safe_next(value) -> str:
    """The `next` URL if it is our own authorize or consent endpoint, else "" (no open redirect)."""
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_LENGTH or "\x00" in value:
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path not in NEXT_PATHS:
        return ""
    return value


def authorize_target(next_url: str):
    """(application, registered redirect URI) named by an authorize URL, or (None, "")."""
    if not next_url:
        return None, ""
    query = parse_qs(urlsplit(next_url).query)
    client_id = (query.get("client_id") or [""])[0]
    redirect_uri = (query.get("redirect_uri") or [""])[0]
    if not client_id or len(client_id) > 100 or "\x00" in client_id:
        return None, ""
    app = Application.objects.filter(client_id=client_id).first()
    if app is None or not app.signs_users_in:
        return None, ""
    if redirect_uri not in app.redirect_uris.split():
        return app, ""
    return app, redirect_uri


def allow_form_redirect(response, redirect_uri: str):
    """Let this page's form end at the application's redirect URI: browsers apply the page's
    CSP `form-action` to every redirect after the submit, not only to the form's own URL."""
    if redirect_uri:
        parts = urlsplit(redirect_uri)
        config = dict(settings.SECURE_CSP)
        config["form-action"] = [CSP.SELF, f"{parts.scheme}://{parts.netloc}"]
        response._csp_config = config
    return response


def end_user_origin(request, application=None) -> Origin:
    """Who acts on the end-user pages: the end user, through the application (never an admin)."""
    origin = Origin.from_request(request, channel="Interaction")
    app_id = application.pk if application is not None else ""
    return Origin(
        channel="Interaction",
        actor_label=app_id,
        application_id=app_id,
        ip=origin.ip,
        user_agent=origin.user_agent,
    )


@login_not_required
@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request):
    next_url = safe_next(request.POST.get("next") or request.GET.get("next"))
    application, redirect_uri = authorize_target(next_url)
    status = HTTPStatus.OK
    if request.method == "POST":
        form = SignInForm(request.POST, request=request)
        origin = end_user_origin(request, application)
        if form.is_valid():
            user = form.user
            login(request, user, backend="users.backends.IdentifierBackend")
            sessions.start_session(request, user, application=application)
            form.signed_in()
            services.record_sign_in(
                user,
                application=application,
                origin=origin,
                identifier_type=form.identifier_type,
            )
            return redirect(next_url or "signin:signed-in")
        if form.failure:
            services.record_failed_sign_in(
                form.account,
                origin=origin,
                error=form.failure,
                identifier_type=form.identifier_type,
            )
        status = (
            HTTPStatus.TOO_MANY_REQUESTS if form.failure == "throttled" else HTTPStatus.BAD_REQUEST
        )
    else:
        form = SignInForm(request=request)
    response = render(
        request,
        "signin/sign_in.html",
        {"form": form, "next": next_url, "application": application},
        status=status,
    )
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        from signin.forms import END_USER

        response["Retry-After"] = str(END_USER.retry_after())
    return allow_form_redirect(response, redirect_uri)


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def signed_in(request):
    """Where a sign-in without an application lands."""
    row = sessions.touch_session(request) if request.user.is_authenticated else None
    return render(request, "signin/signed_in.html", {"signed_in_user": row.user if row else None})
