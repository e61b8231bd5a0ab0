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
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from audit.recorder import Origin
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
from users.views.directory import get_user_or_404, is_fragment
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


def _action_page(request, subject, action, *, form=None, error="", status=HTTPStatus.OK, **extra):
    context = {"subject": subject, "action": action, "form": form, "error": error, **extra}
    template = "users/user_action.html" + ("#action-dialog" if is_fragment(request) else "")
    return render(request, template, context, status=status)


def _done(request, subject, message, *, to_list=False):
    messages.success(request, message)
    url = reverse("users:list") if to_list else reverse("users:detail", args=[subject.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url) if to_list else HttpResponseClientRefresh()
    return redirect(url)


def _confirmed(request, subject, action, act, success):
    """GET shows the confirmation; POST runs `act(origin)` and reports how it went."""
    if request.method == "POST":
        try:
            act(Origin.from_request(request))
        except ServiceError as e:
            return _action_page(request, subject, action, error=e.message, status=e.status)
        return _done(request, subject, success)
    return _action_page(request, subject, action)


ACTIONS = {
    "suspend": {
        "title": "Suspend user",
        "text": "The user will not be able to sign in, and their sessions and tokens end now. "
        "You can reactivate them later.",
        "button": "Suspend",
        "danger": True,
    },
    "reactivate": {
        "title": "Reactivate user",
        "text": "The user will be able to sign in again.",
        "button": "Reactivate",
        "danger": False,
    },
    "reset-password": {
        "title": "Generate a new password",
        "text": "A new random password replaces the current one and is shown once. "
        "The user's other sessions and tokens end.",
        "button": "Generate password",
        "danger": True,
    },
    "delete": {
        "title": "Delete user",
        "text": "This deletes the user with their identities, MFA factors, access tokens, roles and "
        "organization memberships. It cannot be undone; the audit log keeps a record.",
        "button": "Delete user",
        "danger": True,
    },
}


def _simple_action(verb, service, success):
    @require_http_methods(["GET", "POST"])
    @permission_required(CHANGE, raise_exception=True)
    @vary_on_headers("HX-Request")
    def view(request, user_id):
        subject = get_user_or_404(user_id)
        action = {**ACTIONS[verb], "url": reverse(f"users:{verb}", args=[subject.pk])}
        return _confirmed(
            request, subject, action, lambda origin: service(subject, origin=origin), success
        )

    view.__name__ = f"user_{verb.replace('-', '_')}"
    return view


user_suspend = _simple_action("suspend", services.suspend_user, "User suspended.")
user_reactivate = _simple_action("reactivate", services.reactivate_user, "User reactivated.")


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
@sensitive_variables("password", "context")
def user_reset_password(request, user_id):
    subject = get_user_or_404(user_id)
    action = {
        **ACTIONS["reset-password"],
        "url": reverse("users:reset-password", args=[subject.pk]),
    }
    form = ResetPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            password = services.reset_password(
                subject,
                origin=Origin.from_request(request),
                require_change=form.cleaned_data["require_change"],
            )
        except ServiceError as e:
            return _action_page(
                request, subject, action, form=form, error=e.message, status=e.status
            )
        context = {"subject": subject, "password": password}
        template = "users/password_result.html" + (
            "#password-result" if is_fragment(request) else ""
        )
        return render(request, template, context)
    return _action_page(request, subject, action, form=form, status=_unless_posted(request))


@require_http_methods(["GET", "POST"])
@permission_required("users.delete_user", raise_exception=True)
@vary_on_headers("HX-Request")
def user_delete(request, user_id):
    subject = get_user_or_404(user_id)
    action = {**ACTIONS["delete"], "url": reverse("users:delete", args=[subject.pk])}
    form = DeleteUserForm(request.POST if request.method == "POST" else None, subject=subject)
    if request.method == "POST":
        if not form.is_valid():
            return _action_page(request, subject, action, form=form, status=HTTPStatus.BAD_REQUEST)
        try:
            services.delete_user(subject, origin=Origin.from_request(request))
        except ServiceError as e:
            return _action_page(
                request, subject, action, form=form, error=e.message, status=e.status
            )
        label = subject.display_identifier or subject.pk
        return _done(request, subject, f"User {label} deleted.", to_list=True)
    return _action_page(request, subject, action, form=form)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def identity_remove(request, user_id, identity_id):
    subject = get_user_or_404(user_id)
    identity = get_object_or_404(subject.identities, pk=identity_id)
    url = reverse("users:identity-remove", args=[subject.pk, identity.pk])
    action = {
        "title": "Remove social identity",
        "text": f"Remove {identity.target} · {identity.external_user_id} from this user? "
        "They will no longer be able to sign in with it.",
        "button": "Remove",
        "danger": True,
        "url": url,
    }
    form = ConfirmLockoutForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_identity(
                identity,
                origin=Origin.from_request(request),
                confirm_lockout=form.cleaned_data["confirm_lockout"],
            )
        except ConfirmationRequired as e:
            return _action_page(
                request, subject, action, error=e.message, status=e.status, needs_confirmation=True
            )
        except ServiceError as e:
            return _action_page(request, subject, action, error=e.message, status=e.status)
        return _done(request, subject, "Social identity removed.")
    return _action_page(request, subject, action, status=_unless_posted(request))


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def mfa_remove(request, user_id, factor_id):
    subject = get_user_or_404(user_id)
    factor = get_object_or_404(subject.mfa_factors, pk=factor_id)
    action = {
        "title": "Remove MFA factor",
        "text": f"Remove “{factor}” ({factor.get_type_display()})? The user will have to enrol it "
        "again to use it.",
        "button": "Remove",
        "danger": True,
        "url": reverse("users:mfa-remove", args=[subject.pk, factor.pk]),
    }
    return _confirmed(
        request,
        subject,
        action,
        lambda origin: services.remove_mfa_factor(factor, origin=origin),
        "MFA factor removed.",
    )


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
@sensitive_variables("created", "context")
def token_new(request, user_id):
    subject = get_user_or_404(user_id)
    action = {
        "title": "Create personal access token",
        "text": "The token is shown once. Only a hash of it is kept.",
        "button": "Create token",
        "danger": False,
        "url": reverse("users:token-new", args=[subject.pk]),
    }
    form = TokenForm(request.POST if request.method == "POST" else None)
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
                return _action_page(
                    request, subject, action, form=form, error=e.message, status=e.status
                )
            else:
                context = {"subject": subject, "token": created.token, "value": created.value}
                fragment = "#token-result" if is_fragment(request) else ""
                return render(request, "users/token_result.html" + fragment, context)
        return _action_page(request, subject, action, form=form, status=status)
    return _action_page(request, subject, action, form=form)


def _get_token(subject, token_id):
    return get_object_or_404(subject.access_tokens, pk=token_id)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def token_rename(request, user_id, token_id):
    subject = get_user_or_404(user_id)
    token = _get_token(subject, token_id)
    action = {
        "title": "Rename token",
        "text": "",
        "button": "Save",
        "danger": False,
        "url": reverse("users:token-rename", args=[subject.pk, token.pk]),
    }
    form = RenameTokenForm(
        request.POST if request.method == "POST" else None, initial={"name": token.name}
    )
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
                return _action_page(
                    request, subject, action, form=form, error=e.message, status=e.status
                )
            else:
                return _done(request, subject, "Token renamed.")
        return _action_page(request, subject, action, form=form, status=status)
    return _action_page(request, subject, action, form=form)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def token_delete(request, user_id, token_id):
    subject = get_user_or_404(user_id)
    token = _get_token(subject, token_id)
    action = {
        "title": "Delete token",
        "text": f"Delete the token “{token.name}”? Programs using it will be refused at once.",
        "button": "Delete token",
        "danger": True,
        "url": reverse("users:token-delete", args=[subject.pk, token.pk]),
    }
    return _confirmed(
        request,
        subject,
        action,
        lambda origin: services.delete_personal_access_token(token, origin=origin),
        "Token deleted.",
    )
