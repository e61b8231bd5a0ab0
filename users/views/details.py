"""The user details page (tab "Settings"): its two cards, sign-in identifiers and profile, each
saved by its own form and re-rendered as a fragment for htmx. The acts on the user are in
users/views/user_actions.py, the personal access tokens in users/views/tokens.py."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import is_fragment
from users import services
from users.errors import ConfirmationRequired, ServiceError
from users.forms import (
    IdentifiersForm,
    ProfileForm,
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
