"""The user details page (tab "Settings") and every action on it.

Each action is a confirmation `<dialog>` for htmx and the same form as its own page without
JavaScript. Success ends in a page refresh (htmx) or a redirect (plain), with a message; secrets
(new password, token value) are shown in the POST response only.
"""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import ACTION, Dialog, go, is_fragment, reload, render_dialog
from users import services
from users.errors import ConfirmationRequired, ServiceError
from users.forms import (
    ConfirmLockoutForm,
    DeleteUserForm,
    IdentifiersForm,
    ProfileForm,
    RenameTokenForm,
    ResetPasswordForm,
    TokenForm,
)
from users.views.directory import get_user_or_404
from users.views.refusals import refusal_status

CHANGE = "users.change_user"


def _settings_context(request, subject, **overrides):
    context = {
        "subject": subject,
        "tab": "settings",
        "identifiers_form": IdentifiersForm.for_user(subject, prefix="auth"),
        "profile_form": ProfileForm.for_user(subject, prefix="profile"),
        "identities": list(subject.identities.all()),
        "sso_identities": list(subject.sso_identities.all()),
        "mfa_factors": list(subject.mfa_factors.all()),
        "tokens": list(subject.access_tokens.all()),
    }
    context.update(overrides)
    return context


@require_GET
@permission_required("users.view_user", raise_exception=True)
@vary_on_headers("HX-Request")
def user_detail(request, user_id):
    subject = get_user_or_404(user_id)
    return render(request, "users/user_detail.html", _settings_context(request, subject))


def _card_response(request, subject, card, form, *, status=HTTPStatus.OK, saved=False, error=""):
    """Re-render one card: as its fragment for htmx, inside the whole page otherwise."""
    key = {"authentication-card": "identifiers_form", "profile-card": "profile_form"}[card]
    context = _settings_context(request, subject, **{key: form, f"{key}_saved": saved})
    context[f"{key}_error"] = error
    template = "users/user_detail.html" + (f"#{card}" if is_fragment(request) else "")
    return render(request, template, context, status=status)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def user_identifiers(request, user_id):
    subject = get_user_or_404(user_id)
    form = IdentifiersForm(request.POST, prefix="auth")
    status, error = HTTPStatus.BAD_REQUEST, ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            subject = services.update_identifiers(
                subject,
                origin=Origin.from_request(request),
                expected_updated_at=data["updated_at"],
                confirm_lockout=data["confirm_lockout"],
                primary_email=data["primary_email"],
                primary_phone=data["primary_phone"],
                username=data["username"],
            )
        except ValidationError as e:
            status = refusal_status(e)
            form.add_error(None, e)
        except ConfirmationRequired as e:
            status, error = e.status, e.message
            form = _with_confirmation(form)
        except ServiceError as e:
            status, error = e.status, e.message
        else:
            return _saved(request, subject, "authentication-card", "Sign-in identifiers saved.")
    return _card_response(request, subject, "authentication-card", form, status=status, error=error)


def _with_confirmation(form):
    """The same submitted values, now with the lock-out confirmation ticked for a second submit."""
    data = form.data.copy()
    data[form.add_prefix("confirm_lockout")] = "on"
    confirmed = type(form)(data, prefix=form.prefix)
    confirmed.is_valid()
    confirmed.needs_confirmation = True
    return confirmed


@require_POST
@permission_required(CHANGE, raise_exception=True)
def user_profile(request, user_id):
    subject = get_user_or_404(user_id)
    form = ProfileForm(request.POST, prefix="profile")
    status, error = HTTPStatus.BAD_REQUEST, ""
    if form.is_valid():
        try:
            subject = services.update_profile(
                subject,
                origin=Origin.from_request(request),
                expected_updated_at=form.cleaned_data["updated_at"],
                **form.service_values(),
            )
        except ValidationError as e:
            status = refusal_status(e)
            form.add_error(None, e)
        except ServiceError as e:
            status, error = e.status, e.message
        else:
            return _saved(request, subject, "profile-card", "Profile saved.")
    return _card_response(request, subject, "profile-card", form, status=status, error=error)


def _saved(request, subject, card, message):
    if is_fragment(request):
        key = {"authentication-card": "identifiers_form", "profile-card": "profile_form"}[card]
        form_class = IdentifiersForm if card == "authentication-card" else ProfileForm
        form = form_class.for_user(
            subject, prefix="auth" if card == "authentication-card" else "profile"
        )
        context = _settings_context(request, subject, **{key: form, f"{key}_saved": message})
        return render(request, f"users/user_detail.html#{card}", context)
    messages.success(request, message)
    return redirect("users:detail", subject.pk)


# --- Confirmed actions -------------------------------------------------------------------


def _unless_posted(request):
    # A POST that reaches the form again was refused: its input did not parse.
    return HTTPStatus.BAD_REQUEST if request.method == "POST" else HTTPStatus.OK


def _posted(request):
    """The submitted data of a POST (even an empty one), None for a GET: binds a form or not."""
    return request.POST if request.method == "POST" else None


def _back(subject):
    return reverse("users:detail", args=[subject.pk])


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def user_suspend(request, user_id):
    subject = get_user_or_404(user_id)
    dialog = Dialog(
        ACTION,
        title="Suspend user",
        text="The user will not be able to sign in, and their sessions and tokens end now. "
        "You can reactivate them later.",
        url=reverse("users:suspend", args=[subject.pk]),
        cancel=_back(subject),
        submit="Suspend",
        danger=True,
    )
    if request.method == "POST":
        try:
            services.suspend_user(subject, origin=Origin.from_request(request))
        except ServiceError as e:
            return render_dialog(request, dialog, subject=subject, error=e.message, status=e.status)
        return reload(request, "User suspended.", _back(subject))
    return render_dialog(request, dialog, subject=subject)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def user_reactivate(request, user_id):
    subject = get_user_or_404(user_id)
    dialog = Dialog(
        ACTION,
        title="Reactivate user",
        text="The user will be able to sign in again.",
        url=reverse("users:reactivate", args=[subject.pk]),
        cancel=_back(subject),
        submit="Reactivate",
    )
    if request.method == "POST":
        try:
            services.reactivate_user(subject, origin=Origin.from_request(request))
        except ServiceError as e:
            return render_dialog(request, dialog, subject=subject, error=e.message, status=e.status)
        return reload(request, "User reactivated.", _back(subject))
    return render_dialog(request, dialog, subject=subject)


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
@sensitive_variables("password", "context")
def user_reset_password(request, user_id):
    subject = get_user_or_404(user_id)
    dialog = Dialog(
        ACTION,
        title="Generate a new password",
        text="A new random password replaces the current one and is shown once. "
        "The user's other sessions and tokens end.",
        url=reverse("users:reset-password", args=[subject.pk]),
        cancel=_back(subject),
        submit="Generate password",
        danger=True,
    )
    form = ResetPasswordForm(_posted(request))
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
    dialog = Dialog(
        ACTION,
        title="Delete user",
        text="This deletes the user with their identities, MFA factors, access tokens, roles and "
        "organization memberships. It cannot be undone; the audit log keeps a record.",
        url=reverse("users:delete", args=[subject.pk]),
        cancel=_back(subject),
        submit="Delete user",
        danger=True,
    )
    form = DeleteUserForm(_posted(request), subject=subject)
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
    dialog = Dialog(
        ACTION,
        title="Remove social identity",
        text=f"Remove {identity.target} · {identity.external_user_id} from this user? "
        "They will no longer be able to sign in with it.",
        url=reverse("users:identity-remove", args=[subject.pk, identity.pk]),
        cancel=_back(subject),
        submit="Remove",
        danger=True,
    )
    form = ConfirmLockoutForm(_posted(request))
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


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def mfa_remove(request, user_id, factor_id):
    subject = get_user_or_404(user_id)
    factor = get_object_or_404(subject.mfa_factors, pk=factor_id)
    dialog = Dialog(
        ACTION,
        title="Remove MFA factor",
        text=f"Remove “{factor}” ({factor.get_type_display()})? The user will have to enrol it "
        "again to use it.",
        url=reverse("users:mfa-remove", args=[subject.pk, factor.pk]),
        cancel=_back(subject),
        submit="Remove",
        danger=True,
    )
    if request.method == "POST":
        try:
            services.remove_mfa_factor(factor, origin=Origin.from_request(request))
        except ServiceError as e:
            return render_dialog(request, dialog, subject=subject, error=e.message, status=e.status)
        return reload(request, "MFA factor removed.", _back(subject))
    return render_dialog(request, dialog, subject=subject)


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
@sensitive_variables("created", "context")
def token_new(request, user_id):
    subject = get_user_or_404(user_id)
    dialog = Dialog(
        ACTION,
        title="Create personal access token",
        text="The token is shown once. Only a hash of it is kept.",
        url=reverse("users:token-new", args=[subject.pk]),
        cancel=_back(subject),
        submit="Create token",
    )
    form = TokenForm(_posted(request))
    if request.method == "POST":
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            try:
                created = services.create_personal_access_token(
                    subject,
                    origin=Origin.from_request(request),
                    name=form.cleaned_data["name"],
                    expires_at=form.expires_at(),
                )
            except ValidationError as e:
                status = refusal_status(e)
                form.add_error(None, e)
            except ServiceError as e:
                return render_dialog(
                    request, dialog, subject=subject, form=form, error=e.message, status=e.status
                )
            else:
                context = {"subject": subject, "token": created.token, "value": created.value}
                fragment = "#token-result" if is_fragment(request) else ""
                return render(request, "users/token_result.html" + fragment, context)
        return render_dialog(request, dialog, subject=subject, form=form, status=status)
    return render_dialog(request, dialog, subject=subject, form=form)


def _get_token(subject, token_id):
    return get_object_or_404(subject.access_tokens, pk=token_id)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def token_rename(request, user_id, token_id):
    subject = get_user_or_404(user_id)
    token = _get_token(subject, token_id)
    dialog = Dialog(
        ACTION,
        title="Rename token",
        url=reverse("users:token-rename", args=[subject.pk, token.pk]),
        cancel=_back(subject),
        submit="Save",
    )
    form = RenameTokenForm(_posted(request), initial={"name": token.name})
    if request.method == "POST":
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            try:
                services.rename_personal_access_token(
                    token, origin=Origin.from_request(request), name=form.cleaned_data["name"]
                )
            except ValidationError as e:
                status = refusal_status(e)
                form.add_error(None, e)
            except ServiceError as e:
                return render_dialog(
                    request, dialog, subject=subject, form=form, error=e.message, status=e.status
                )
            else:
                return reload(request, "Token renamed.", _back(subject))
        return render_dialog(request, dialog, subject=subject, form=form, status=status)
    return render_dialog(request, dialog, subject=subject, form=form)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def token_delete(request, user_id, token_id):
    subject = get_user_or_404(user_id)
    token = _get_token(subject, token_id)
    dialog = Dialog(
        ACTION,
        title="Delete token",
        text=f"Delete the token “{token.name}”? Programs using it will be refused at once.",
        url=reverse("users:token-delete", args=[subject.pk, token.pk]),
        cancel=_back(subject),
        submit="Delete token",
        danger=True,
    )
    if request.method == "POST":
        try:
            services.delete_personal_access_token(token, origin=Origin.from_request(request))
        except ServiceError as e:
            return render_dialog(request, dialog, subject=subject, error=e.message, status=e.status)
        return reload(request, "Token deleted.", _back(subject))
    return render_dialog(request, dialog, subject=subject)
