"""A user's Sessions tab: their end-user sign-in sessions and application grants, revoking one or
all, and the Lock down action (signin.sessions and users.services.lock_down_user do the work).

Each action is a confirmation `<dialog>` for htmx and the same form as its own page without
JavaScript; a refused act answers 4xx with the dialog and its error.
"""

from http import HTTPStatus

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import ACTION, Dialog, is_fragment, posted, reload, render_dialog
from signin import sessions
from users import services
from users.errors import ServiceError
from users.views.directory import get_user_or_404

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
    if is_fragment(request, "user-sessions"):
        template += "#user-sessions"
    return render(request, template, context)


def _tab(subject, name="users:sessions"):
    return reverse(name, args=[subject.pk])


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
    dialog = Dialog(
        ACTION,
        title="Revoke session",
        text=f"{session.get_kind_display()} · {app}: this {what}.",
        url=reverse("users:session-revoke", args=[subject.pk, session.pk]),
        cancel=_tab(subject),
        submit="Revoke",
        danger=True,
    )
    if request.method == "POST":
        try:
            sessions.revoke_session(subject, session.pk, origin=Origin.from_request(request))
        except sessions.SessionNotFound:
            error = "This session has already ended."
            return render_dialog(
                request, dialog, subject=subject, error=error, status=HTTPStatus.CONFLICT
            )
        return reload(request, "Session revoked.", _tab(subject))
    return render_dialog(request, dialog, subject=subject)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def sessions_revoke_all(request, user_id):
    subject = get_user_or_404(user_id)
    dialog = Dialog(
        ACTION,
        title="Revoke all sessions",
        text="Every browser this user signed in with is signed out, and every application "
        "loses its tokens for them. They can sign in again.",
        url=reverse("users:sessions-revoke-all", args=[subject.pk]),
        cancel=_tab(subject),
        submit="Revoke all",
        danger=True,
    )
    if request.method == "POST":
        count = sessions.revoke_all_sessions(subject, origin=Origin.from_request(request))
        return reload(request, f"{count} session(s) revoked.", _tab(subject))
    return render_dialog(request, dialog, subject=subject)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def user_lock_down(request, user_id):
    subject = get_user_or_404(user_id)
    dialog = Dialog(
        ACTION,
        title="Lock down user",
        text="Suspends the user, ends every session and grant, revokes every token and "
        "personal access token, and makes the password unusable: after reactivation they need "
        "a password reset. Recorded in the audit log with your reason.",
        url=reverse("users:lock-down", args=[subject.pk]),
        cancel=_tab(subject, "users:detail"),
        submit="Lock down",
        danger=True,
    )
    form = LockDownForm(posted(request))
    if request.method == "POST":
        bad = HTTPStatus.BAD_REQUEST
        if not form.is_valid():
            return render_dialog(request, dialog, subject=subject, form=form, status=bad)
        try:
            services.lock_down_user(
                subject, origin=Origin.from_request(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as e:
            form.add_error(None, e)
            return render_dialog(request, dialog, subject=subject, form=form, status=bad)
        except ServiceError as e:
            return render_dialog(
                request, dialog, subject=subject, form=form, error=e.message, status=e.status
            )
        return reload(request, "User locked down.", _tab(subject, "users:detail"))
    return render_dialog(request, dialog, subject=subject, form=form)
