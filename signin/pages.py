"""End-user pages: /sign-in (plain forms, no JavaScript needed) and what they share with /consent.

Signing in is Django's login() (session id rotated) plus an end-user session row
(signin.sessions.start_session) that the authorize endpoint re-checks on every visit, so an
admin who ends the session, suspends or locks the user down signs the browser out.
"""

import time
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

from audit.recorder import Origin, client_ip
from signin import sessions
from signin.forms import END_USER, END_USER_MFA, THROTTLED, WRONG_CODE, MfaCodeForm, SignInForm
from users import services
from users.models import Application, User

# In the session between the password and the code: who passed the password (not signed in).
MFA_PENDING_KEY = "gatehouse.mfa_pending"

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
            if services.needs_mfa(user):
                # Not signed in yet: the session only remembers who passed the password.
                start_mfa_step(request, user, form, next_url)
                return redirect("signin:sign-in-mfa")
            finish_sign_in(
                request,
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
        response["Retry-After"] = str(END_USER.retry_after())
    return allow_form_redirect(response, redirect_uri)


def finish_sign_in(request, user, *, application, origin, identifier_type):
    """The user proved who they are: Django's login() (session id rotated), an end-user session
    row, the account's counters cleared, the sign-in recorded."""
    request.session.pop(MFA_PENDING_KEY, None)
    login(request, user, backend="users.backends.IdentifierBackend")
    sessions.start_session(request, user, application=application)
    END_USER.clear(f"user:{user.pk}")
    END_USER_MFA.clear(f"user:{user.pk}")
    services.record_sign_in(
        user, application=application, origin=origin, identifier_type=identifier_type
    )


def start_mfa_step(request, user, form, next_url: str) -> None:
    """Remember, in a fresh session id, that `user` passed the password (and when)."""
    request.session.cycle_key()
    request.session[MFA_PENDING_KEY] = {
        "user": user.pk,
        "since": int(time.time()),
        "identifierType": form.identifier_type,
        "next": next_url,
    }


def pending_mfa(request):
    """(user, pending dict) of the sign-in waiting for its second step, or None: nothing
    pending, too old (END_USER_MFA_PENDING_SECONDS), the user gone, suspended or without
    factors since."""
    pending = request.session.get(MFA_PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), str):
        return None
    since = pending.get("since")
    if not isinstance(since, int) or time.time() - since > settings.END_USER_MFA_PENDING_SECONDS:
        request.session.pop(MFA_PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_suspended=False).first()
    if user is None or not services.needs_mfa(user):
        request.session.pop(MFA_PENDING_KEY, None)
        return None
    return user, pending


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_mfa(request):
    """The second step: a code from the authenticator app or a backup code. Throttled like the
    password (its own counters); a wrong code answers 400 with the form."""
    found = pending_mfa(request)
    if found is None:
        return redirect("signin:sign-in")
    user, pending = found
    next_url = safe_next(pending.get("next"))
    application, redirect_uri = authorize_target(next_url)
    status = HTTPStatus.OK
    if request.method == "POST":
        form = MfaCodeForm(request.POST)
        origin = end_user_origin(request, application)
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            if not END_USER_MFA.reserve(f"user:{user.pk}", client_ip(request)):
                services.record_failed_sign_in(
                    user,
                    origin=origin,
                    error="mfa_throttled",
                    identifier_type=str(pending.get("identifierType", "")),
                )
                form.add_error(None, THROTTLED)
                status = HTTPStatus.TOO_MANY_REQUESTS
            elif services.verify_mfa_code(user, form.cleaned_data["code"], origin=origin):
                finish_sign_in(
                    request,
                    user,
                    application=application,
                    origin=origin,
                    identifier_type=str(pending.get("identifierType", "")),
                )
                return redirect(next_url or "signin:signed-in")
            else:
                form.add_error("code", WRONG_CODE)
    else:
        form = MfaCodeForm()
    response = render(
        request,
        "signin/sign_in_mfa.html",
        {"form": form, "application": application},
        status=status,
    )
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        response["Retry-After"] = str(END_USER_MFA.retry_after())
    return allow_form_redirect(response, redirect_uri)


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def signed_in(request):
    """Where a sign-in without an application lands."""
    row = sessions.touch_session(request) if request.user.is_authenticated else None
    return render(request, "signin/signed_in.html", {"signed_in_user": row.user if row else None})
