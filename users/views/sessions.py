"""A user's Sessions tab: their end-user sign-in sessions and application grants, revoking one or
all, and the Lock down action (signin.sessions and users.services.lock_down_user do the work).

Each action is a confirmation `<dialog>` for htmx and the same form as its own page without
JavaScript; a refused act answers 4xx with the dialog and its error.
"""

from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from audit.recorder import Origin
from signin import sessions
from users import services
from users.errors import ServiceError
from users.views.directory import get_user_or_404, is_fragment

CHANGE = "users.change_user"


class LockDownForm(forms.Form):
    reason = forms.CharField(
        label="Reason (kept in the audit log)",
        max_length=services.LOCK_DOWN_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_GET
@permission_required("users.view_user", raise_exception=True)
@vary_on_headers("HX-Request")
def user_sessions(request, user_id):
    subject = get_user_or_404(user_id)
    context = {"subject": subject, "tab": "sessions", "sessions": sessions.list_sessions(subject)}
    template = "users/user_sessions.html"
    if is_fragment(request) and request.htmx.target == "user-sessions":
        template += "#user-sessions"
    return render(request, template, context)


def _dialog(request, subject, action, *, form=None, error="", status=HTTPStatus.OK):
    context = {"subject": subject, "action": action, "form": form, "error": error}
    template = "users/user_action.html" + ("#action-dialog" if is_fragment(request) else "")
    return render(request, template, context, status=status)


def _done(request, subject, message, tab="users:sessions"):
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(tab, subject.pk)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def session_revoke(request, user_id, session_id):
    subject = get_user_or_404(user_id)
    try:
        session = sessions.get_session(subject, session_id)
    except sessions.SessionNotFound:
        raise Http404("No such session") from None
    what = (
        "signs this browser out"
        if session.kind == session.Kind.BROWSER
        else "revokes every token the application holds for this user"
    )
    app = session.application.name if session.application else "no application"
    action = {
        "title": "Revoke session",
        "text": f"{session.get_kind_display()} · {app}: this {what}.",
        "button": "Revoke",
        "danger": True,
        "url": reverse("users:session-revoke", args=[subject.pk, session.pk]),
    }
    if request.method == "POST":
        try:
            sessions.revoke_session(subject, session.pk, origin=Origin.from_request(request))
        except sessions.SessionNotFound:
            error = "This session has already ended."
            return _dialog(request, subject, action, error=error, status=HTTPStatus.CONFLICT)
        return _done(request, subject, "Session revoked.")
    return _dialog(request, subject, action)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def sessions_revoke_all(request, user_id):
    subject = get_user_or_404(user_id)
    action = {
        "title": "Revoke all sessions",
        "text": "Every browser this user signed in with is signed out, and every application "
        "loses its tokens for them. They can sign in again.",
        "button": "Revoke all",
        "danger": True,
        "url": reverse("users:sessions-revoke-all", args=[subject.pk]),
    }
    if request.method == "POST":
        count = sessions.revoke_all_sessions(subject, origin=Origin.from_request(request))
        return _done(request, subject, f"{count} session(s) revoked.")
    return _dialog(request, subject, action)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def user_lock_down(request, user_id):
    subject = get_user_or_404(user_id)
    action = {
        "title": "Lock down user",
        "text": "Suspends the user, ends every session and grant, revokes every token and "
        "personal access token, and makes the password unusable: after reactivation they need "
        "a password reset. Recorded in the audit log with your reason.",
        "button": "Lock down",
        "danger": True,
        "url": reverse("users:lock-down", args=[subject.pk]),
    }
    form = LockDownForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return _dialog(request, subject, action, form=form, status=HTTPStatus.BAD_REQUEST)
        try:
            services.lock_down_user(
                subject, origin=Origin.from_request(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as e:
            form.add_error(None, e)
            return _dialog(request, subject, action, form=form, status=HTTPStatus.BAD_REQUEST)
        except ServiceError as e:
            return _dialog(request, subject, action, form=form, error=e.message, status=e.status)
        return _done(request, subject, "User locked down.", tab="users:detail")
    return _dialog(request, subject, action, form=form)
