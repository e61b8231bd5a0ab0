"""The user details page (tab "Settings"): its two cards, sign-in identifiers and profile, each
saved by its own form and re-rendered as a fragment for htmx. The acts on the user are in
users/views/user_actions.py, the personal access tokens in users/views/tokens.py."""

from dataclasses import dataclass
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
from users.forms import IdentifiersForm, ProfileForm
from users.views.directory import get_user_or_404
from users.views.refusals import refusal_status

CHANGE = "users.change_user"


@dataclass(frozen=True)
class Card:
    """One card of the tab: its element id (and partial), its form's name in the context, the
    form and its prefix, and what a save says."""

    id: str
    key: str
    form_class: type
    prefix: str
    saved: str

    def form(self, subject):
        return self.form_class.for_user(subject, prefix=self.prefix)


IDENTIFIERS = Card(
    "authentication-card", "identifiers_form", IdentifiersForm, "auth", "Sign-in identifiers saved."
)
PROFILE = Card("profile-card", "profile_form", ProfileForm, "profile", "Profile saved.")


def _settings_context(request, subject, **overrides):
    context = {
        "subject": subject,
        "tab": "settings",
        "identifiers_form": IDENTIFIERS.form(subject),
        "profile_form": PROFILE.form(subject),
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


@require_POST
@permission_required(CHANGE, raise_exception=True)
def user_identifiers(request, user_id):
    return _save_card(request, user_id, IDENTIFIERS, services.update_identifiers)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def user_profile(request, user_id):
    return _save_card(request, user_id, PROFILE, services.update_profile)


def _save_card(request, user_id, card: Card, update):
    """Save one card with its service (`update(subject, origin=, expected_updated_at=, ...)`),
    unless the user changed since the form was opened; a save that would lock the user out
    comes back with the confirmation ticked, for a second submit."""
    subject = get_user_or_404(user_id)
    form = card.form_class(request.POST, prefix=card.prefix)
    status, error = HTTPStatus.BAD_REQUEST, ""
    if form.is_valid():
        try:
            subject = update(
                subject,
                origin=Origin.from_request(request),
                expected_updated_at=form.cleaned_data["updated_at"],
                **form.service_values(),
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
            return _saved(request, subject, card)
    return _card_response(request, subject, card, form, status=status, error=error)


def _with_confirmation(form):
    """The same submitted values, now with the lock-out confirmation ticked for a second submit."""
    data = form.data.copy()
    data[form.add_prefix("confirm_lockout")] = "on"
    confirmed = type(form)(data, prefix=form.prefix)
    confirmed.is_valid()
    confirmed.needs_confirmation = True
    return confirmed


def _card_response(request, subject, card: Card, form, *, status=HTTPStatus.OK, saved="", error=""):
    """Re-render one card: as its fragment for htmx, inside the whole page otherwise."""
    context = _settings_context(request, subject, **{card.key: form, f"{card.key}_saved": saved})
    context[f"{card.key}_error"] = error
    template = "users/user_detail.html" + (f"#{card.id}" if is_fragment(request) else "")
    return render(request, template, context, status=status)


def _saved(request, subject, card: Card):
    if is_fragment(request):
        return _card_response(request, subject, card, card.form(subject), saved=card.saved)
    messages.success(request, card.saved)
    return redirect("users:detail", subject.pk)
