"""The confirmed acts on a user from the Settings tab: suspend, reactivate, reset the password,
delete, remove a social identity or an MFA factor.

Each is a plain view: a confirmation `<dialog>` for htmx and the same form as its own page
without JavaScript, one service call, and a reload (or, after a delete, the table) with a
message; a refusal re-renders the dialog with its 4xx status. The new password is shown in the
POST response only.
"""

from http import HTTPStatus

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import ACTION, Dialog, go, is_fragment, posted, reload, render_dialog
from users import services
from users.errors import ConfirmationRequired, ServiceError
from users.forms import ConfirmLockoutForm, DeleteUserForm, ResetPasswordForm
from users.views.dialogs import ConfirmDialog
from users.views.directory import get_user_or_404

CHANGE = "users.change_user"


def _unless_posted(request):
    # A POST that reaches the form again was refused: its input did not parse.
    return HTTPStatus.BAD_REQUEST if request.method == "POST" else HTTPStatus.OK


def _back(subject):
    return reverse("users:detail", args=[subject.pk])


def _user_dialog(subject, url_name, *ids, **text) -> Dialog:
    """A dialog of the Settings tab: it posts to `url_name` (the user's id, then `ids`) and
    Cancel goes back to the tab."""
    url = reverse(url_name, args=[subject.pk, *ids])
    return Dialog(ACTION, url=url, cancel=_back(subject), **text)


class UserDialog:
    """A dialog of the Settings tab about the user of the URL: Cancel goes back to the tab, and
    success reloads it with `message`."""

    permission = CHANGE
    title = ""
    text = ""
    submit = ""
    danger = False
    message = ""

    def load(self):
        self.subject = get_user_or_404(self.kwargs["user_id"])

    def back(self) -> str:
        return _back(self.subject)

    def get_text(self) -> str:
        return self.text

    def get_dialog(self):
        return Dialog(
            ACTION,
            title=self.title,
            text=self.get_text(),
            url=self.request.path,
            cancel=self.back(),
            submit=self.submit,
            danger=self.danger,
        )

    def done(self, saved=None):
        return reload(self.request, self.message, self.back())


class UserSuspend(UserDialog, ConfirmDialog):
    title = "Suspend user"
    text = (
        "The user will not be able to sign in, and their sessions and tokens end now. "
        "You can reactivate them later."
    )
    submit = "Suspend"
    danger = True
    message = "User suspended."

    def act(self):
        services.suspend_user(self.subject, origin=self.origin)


class UserReactivate(UserDialog, ConfirmDialog):
    title = "Reactivate user"
    text = "The user will be able to sign in again."
    submit = "Reactivate"
    message = "User reactivated."

    def act(self):
        services.reactivate_user(self.subject, origin=self.origin)


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
@sensitive_variables("password", "context")
def user_reset_password(request, user_id):
    subject = get_user_or_404(user_id)
    dialog = _user_dialog(
        subject,
        "users:reset-password",
        title="Generate a new password",
        text="A new random password replaces the current one and is shown once. "
        "The user's other sessions and tokens end.",
        submit="Generate password",
        danger=True,
    )
    form = ResetPasswordForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            password = services.reset_password(
                subject,
                origin=Origin.from_request(request),
                require_change=form.cleaned_data["require_change"],
            )
        except ServiceError as e:
            return render_dialog(
                request, dialog, subject=subject, form=form, error=e.message, status=e.status
            )
        context = {"subject": subject, "password": password}
        template = "users/password_result.html" + (
            "#password-result" if is_fragment(request) else ""
        )
        return render(request, template, context)
    return render_dialog(
        request, dialog, subject=subject, form=form, status=_unless_posted(request)
    )


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_user", raise_exception=True)
@vary_on_headers("HX-Request")
def user_delete(request, user_id):
    subject = get_user_or_404(user_id)
    dialog = _user_dialog(
        subject,
        "users:delete",
        title="Delete user",
        text="This deletes the user with their identities, MFA factors, access tokens, roles and "
        "organization memberships. It cannot be undone; the audit log keeps a record.",
        submit="Delete user",
        danger=True,
    )
    form = DeleteUserForm(posted(request), subject=subject)
    if request.method == "POST":
        if not form.is_valid():
            return render_dialog(
                request, dialog, subject=subject, form=form, status=HTTPStatus.BAD_REQUEST
            )
        try:
            services.delete_user(subject, origin=Origin.from_request(request))
        except ServiceError as e:
            return render_dialog(
                request, dialog, subject=subject, form=form, error=e.message, status=e.status
            )
        label = subject.display_identifier or subject.pk
        return go(request, f"User {label} deleted.", reverse("users:list"))
    return render_dialog(request, dialog, subject=subject, form=form)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def identity_remove(request, user_id, identity_id):
    subject = get_user_or_404(user_id)
    identity = get_object_or_404(subject.identities, pk=identity_id)
    dialog = _user_dialog(
        subject,
        "users:identity-remove",
        identity.pk,
        title="Remove social identity",
        text=f"Remove {identity.target} · {identity.external_user_id} from this user? "
        "They will no longer be able to sign in with it.",
        submit="Remove",
        danger=True,
    )
    form = ConfirmLockoutForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_identity(
                identity,
                origin=Origin.from_request(request),
                confirm_lockout=form.cleaned_data["confirm_lockout"],
            )
        except ConfirmationRequired as e:
            return render_dialog(
                request,
                dialog,
                subject=subject,
                error=e.message,
                status=e.status,
                needs_confirmation=True,
            )
        except ServiceError as e:
            return render_dialog(request, dialog, subject=subject, error=e.message, status=e.status)
        return reload(request, "Social identity removed.", _back(subject))
    return render_dialog(request, dialog, subject=subject, status=_unless_posted(request))


class MfaRemove(UserDialog, ConfirmDialog):
    title = "Remove MFA factor"
    submit = "Remove"
    danger = True
    message = "MFA factor removed."

    def load(self):
        super().load()
        self.factor = get_object_or_404(self.subject.mfa_factors, pk=self.kwargs["factor_id"])

    def get_text(self):
        factor = self.factor
        return (
            f"Remove “{factor}” ({factor.get_type_display()})? The user will have to enrol it "
            "again to use it."
        )

    def act(self):
        services.remove_mfa_factor(self.factor, origin=self.origin)
