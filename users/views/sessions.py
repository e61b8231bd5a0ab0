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
from users.errors import ServiceError, StaleError
from users.views.dialogs import ConfirmDialog
from users.views.directory import get_user_or_404
from users.views.user_actions import UserDialog

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


class SessionsDialog(UserDialog, ConfirmDialog):
    """A confirmation on the Sessions tab: Cancel and success go back to it."""

    def back(self):
        return _tab(self.subject)


class SessionRevoke(SessionsDialog):
    title = "Revoke session"
    submit = "Revoke"
    danger = True
    message = "Session revoked."

    def load(self):
        super().load()
        try:
            self.session = sessions.get_session(self.subject, self.kwargs["session_id"])
        except sessions.SessionNotFound:
            raise Http404("No such session") from None

    def get_text(self):
        session = self.session
        what = (
            "signs this browser out"
            if session.kind == session.Kind.BROWSER
            else "revokes every token the application holds for this user"
        )
        app = session.application.name if session.application else "no application"
        return f"{session.get_kind_display()} · {app}: this {what}."

    def act(self):
        try:
            sessions.revoke_session(self.subject, self.session.pk, origin=self.origin)
        except sessions.SessionNotFound:
            raise StaleError("This session has already ended.") from None


class SessionsRevokeAll(SessionsDialog):
    title = "Revoke all sessions"
    text = (
        "Every browser this user signed in with is signed out, and every application "
        "loses its tokens for them. They can sign in again."
    )
    submit = "Revoke all"
    danger = True

    def act(self):
        self.count = sessions.revoke_all_sessions(self.subject, origin=self.origin)

    def done(self):
        return reload(self.request, f"{self.count} session(s) revoked.", self.back())


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
