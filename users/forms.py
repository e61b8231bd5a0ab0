import datetime
import functools
import json

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from users import keyset, profile_rules
from users.filters import UserFilterForm
from users.search import DEFAULT_PAGE_SIZE, PAGE_SIZES


class TimeZoneSelect(forms.Select):
    """The time-zone `<select>`: ~600 options, rendered once per process, not per request.

    Django's widget renderer builds a context and renders a template per option (~80 ms a page);
    here the options are one cached string and the chosen value is marked by a string replace.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = "" if value is None else str(value)
        options = _time_zone_options()
        if chosen == "" or chosen in profile_rules.time_zones():  # as Select: unknown = none
            marker = f'<option value="{escape(chosen)}">'
            options = options.replace(marker, marker[:-1] + " selected>", 1)
        return mark_safe(f"<select{flatatt(final)}>{options}</select>")


@functools.cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(z, z) for z in profile_rules.time_zones()]


@functools.cache
def _time_zone_options() -> str:
    empty = '<option value="">—</option>'
    return empty + "".join(
        f'<option value="{escape(z)}">{escape(z)}</option>' for z in profile_rules.time_zones()
    )


class _QuickInput:
    """Django's `<input>` markup built in Python: the details page has ~25 inputs, each a
    widget template render otherwise. Same attributes as input.html / attrs.html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = format_html('<input type="{}" name="{}"', widget["type"], widget["name"])
        if widget["value"] is not None:
            html += format_html(' value="{}"', widget["value"])
        return mark_safe(html + flatatt(widget["attrs"]) + ">")


class QuickTextInput(_QuickInput, forms.TextInput):
    pass


class QuickEmailInput(_QuickInput, forms.EmailInput):
    pass


class QuickURLInput(_QuickInput, forms.URLInput):
    pass


class QuickHiddenInput(_QuickInput, forms.HiddenInput):
    pass


class QuickTextarea(forms.Textarea):
    """Django's `<textarea>` markup (textarea.html) built in Python, like _QuickInput."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = format_html('<textarea name="{}"', widget["name"]) + flatatt(widget["attrs"])
        return mark_safe(html + format_html(">\n{}</textarea>", widget["value"] or ""))


class UserSearchForm(forms.Form):
    """The user table's GET parameters; anything else is a 400, never a 500."""

    search = forms.CharField(required=False, max_length=200, strip=True)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000_000)
    page_size = forms.TypedChoiceField(
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
        empty_value=DEFAULT_PAGE_SIZE,
    )

    def clean_page(self):
        return self.cleaned_data.get("page") or 1


class UserTableForm(UserFilterForm, UserSearchForm):
    """The user table's GET parameters: keywords, page, and the facets and sort of
    users.filters (the same parameters `matching_users` reads); `after` / `before`: a keyset
    page's cursor (users.keyset), checked against the sort."""

    after = forms.CharField(required=False, max_length=400)
    before = forms.CharField(required=False, max_length=400)

    def clean(self):
        cleaned = super().clean()
        cleaned["cursor"] = None
        for name in ("after", "before"):
            text = cleaned.get(name)
            if text and "sort" not in self.errors:
                try:
                    cleaned["cursor"] = keyset.Cursor.decode(
                        text, after=name == "after", sort=cleaned.get("sort") or ""
                    )
                except keyset.BadCursor as error:
                    self.add_error(name, str(error))
                break
        return cleaned


class AddUserForm(forms.Form):
    """Add user: at least one identifier; the rules themselves live in users.services."""

    primary_email = forms.CharField(
        label="Email",
        required=False,
        max_length=128,
        widget=QuickEmailInput(attrs={"autocomplete": "off", "placeholder": "name@example.com"}),
    )
    primary_phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=64,
        widget=QuickTextInput(
            attrs={"type": "tel", "autocomplete": "off", "placeholder": "+1 202 555 0143"}
        ),
    )
    username = forms.CharField(
        required=False,
        max_length=128,
        widget=QuickTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(required=False, max_length=128, widget=QuickTextInput)


class _VersionedForm(forms.Form):
    """A form that remembers which version of the user it was opened on (for stale refusals)."""

    updated_at = forms.CharField(widget=QuickHiddenInput)

    def clean_updated_at(self):
        try:
            return datetime.datetime.fromisoformat(self.cleaned_data["updated_at"])
        except ValueError:
            raise forms.ValidationError("Reload the page and try again.") from None


class IdentifiersForm(_VersionedForm):
    primary_email = AddUserForm.base_fields["primary_email"]
    primary_phone = AddUserForm.base_fields["primary_phone"]
    username = AddUserForm.base_fields["username"]
    confirm_lockout = forms.BooleanField(required=False, widget=QuickHiddenInput)

    @classmethod
    def for_user(cls, user, **kwargs):
        initial = {
            "primary_email": user.primary_email,
            "primary_phone": user.formatted_phone,
            "username": user.username,
            "updated_at": user.updated_at.isoformat(),
        }
        return cls(initial=initial, **kwargs)

    def service_values(self) -> dict:
        fields = ("primary_email", "primary_phone", "username", "confirm_lockout")
        return {field: self.cleaned_data[field] for field in fields}


def _text(label, **attrs):
    return forms.CharField(
        label=label, required=False, max_length=256, widget=QuickTextInput(attrs=attrs)
    )


class ProfileForm(_VersionedForm):
    name = forms.CharField(required=False, max_length=128, widget=QuickTextInput)
    avatar = forms.CharField(
        label="Avatar URL",
        required=False,
        max_length=2048,
        widget=QuickURLInput(attrs={"placeholder": "https://"}),
    )
    given_name = _text("Given name")
    family_name = _text("Family name")
    middle_name = _text("Middle name")
    nickname = _text("Nickname")
    preferred_username = _text("Preferred username")
    profile_url = _text("Profile URL", type="url", placeholder="https://")
    website = _text("Website", type="url", placeholder="https://")
    gender = _text("Gender")
    birthdate = _text("Birthdate", type="date")
    # A callable: each form copies its fields, and ~600 choices made that copy cost milliseconds.
    zoneinfo = forms.ChoiceField(
        label="Time zone", required=False, choices=_time_zone_choices, widget=TimeZoneSelect
    )
    locale = _text("Locale", placeholder="en-US")
    address_formatted = _text("Address")
    address_street = _text("Street")
    address_locality = _text("City")
    address_region = _text("Region")
    address_postal_code = _text("Postal code")
    address_country = _text("Country")
    custom_data = forms.CharField(
        label="Custom data",
        required=False,
        max_length=64 * 1024,
        widget=QuickTextarea(attrs={"rows": 8, "spellcheck": "false", "class": "code"}),
        help_text="A JSON object.",
    )

    @classmethod
    def for_user(cls, user, **kwargs):
        profile = user.profile or {}
        address = profile.get("address") or {}
        initial = {
            "name": user.name,
            "avatar": user.avatar,
            "custom_data": json.dumps(user.custom_data or {}, indent=2, ensure_ascii=False),
            "updated_at": user.updated_at.isoformat(),
        }
        initial |= {f: profile.get(c, "") for c, f in profile_rules.PROFILE_CLAIMS.items()}
        initial |= {f: address.get(p, "") for p, f in profile_rules.ADDRESS_PARTS.items()}
        return cls(initial=initial, **kwargs)

    def service_values(self) -> dict:
        data = self.cleaned_data
        profile = {c: data[f] for c, f in profile_rules.PROFILE_CLAIMS.items()}
        profile["address"] = {p: data[f] for p, f in profile_rules.ADDRESS_PARTS.items()}
        return {
            "name": data["name"],
            "avatar": data["avatar"],
            "custom_data": data["custom_data"],
            "profile": profile,
        }


class ResetPasswordForm(forms.Form):
    require_change = forms.BooleanField(
        label="Require a new password at next sign-in", required=False
    )


class ConfirmLockoutForm(forms.Form):
    confirm_lockout = forms.BooleanField(required=False)


class DeleteUserForm(forms.Form):
    confirmation = forms.CharField(
        max_length=256, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        self.fields["confirmation"].label = f"Type {self.expected} to confirm"

    @property
    def expected(self):
        s = self.subject
        return s.username or s.primary_email or s.primary_phone or s.id

    def clean_confirmation(self):
        typed = self.cleaned_data["confirmation"].strip()
        if typed.lower() != self.expected.lower():
            raise forms.ValidationError(f"Type {self.expected} exactly to confirm.")
        return typed


TOKEN_EXPIRY_CHOICES = [
    ("", "Never"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=256, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    expires_in = forms.TypedChoiceField(
        label="Expires", required=False, choices=TOKEN_EXPIRY_CHOICES, coerce=int, empty_value=None
    )

    def expires_at(self):
        days = self.cleaned_data.get("expires_in")
        return timezone.now() + datetime.timedelta(days=days) if days else None


class RenameTokenForm(forms.Form):
    name = forms.CharField(max_length=256, widget=forms.TextInput(attrs={"autocomplete": "off"}))
