"""The end-user sign-in form: one identifier (username, email or phone) and a password."""

from django import forms
from django.contrib.auth.hashers import make_password
from django.views.decorators.debug import sensitive_variables

from audit.recorder import client_ip
from console.throttle import Throttle, find_account

# Its own counters and settings (END_USER_SIGN_IN_*), the same rules as the admin sign-in's.
END_USER = Throttle("end-user", settings_prefix="END_USER_SIGN_IN")
# The second step's codes: counters of their own (a right password does not reset them), the
# same limits: 5 codes per account and 30 per address in a window.
END_USER_MFA = Throttle("end-user-mfa", settings_prefix="END_USER_SIGN_IN")

INVALID = "The identifier or password is incorrect."
SUSPENDED = "This account is suspended. Contact the administrator of this service."
THROTTLED = "Too many sign-in attempts. Wait a few minutes and try again."
WRONG_CODE = "The code is incorrect or was already used."


def identifier_type(value: str) -> str:
    """What kind of identifier was typed, for the audit row (never the value itself)."""
    value = (value or "").strip()
    if "@" in value:
        return "email"
    if value[:1] in "+0123456789(" and value:
        return "phone"
    return "username"


class SignInForm(forms.Form):
    """Counts the attempt (per account across its spellings, and per IP) before the password is
    checked. After validation `user` is the signed-in account; after a refusal `failure` says why
    (throttled, unknown_account, wrong_password, suspended) and `account` is the account the
    identifier named, if any. A field missing or malformed is neither counted nor recorded."""

    identifier = forms.CharField(
        label="Username, email or phone",
        max_length=128,
        error_messages={"required": "Enter your username, email or phone number."},
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label="Password",
        max_length=1024,
        strip=False,
        error_messages={"required": "Enter your password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None
        self.account = None
        self.account_key = ""
        self.failure = ""

    @property
    def identifier_type(self) -> str:
        return identifier_type(self.cleaned_data.get("identifier", ""))

    @sensitive_variables("password")
    def clean(self):
        identifier = self.cleaned_data.get("identifier")
        password = self.cleaned_data.get("password")
        if not identifier or not password:
            return self.cleaned_data
        self.account_key, self.account = find_account(identifier)
        ip = client_ip(self.request) if self.request is not None else None
        if not END_USER.reserve(self.account_key, ip):
            self.failure = "throttled"
            raise forms.ValidationError(THROTTLED, code="throttled")
        if self.account is None:
            make_password(password)  # the same cost as a real check: timing tells nothing
            self.failure = "unknown_account"
            raise forms.ValidationError(INVALID, code="invalid_login")
        if not self.account.check_password(password):
            self.failure = "wrong_password"
            raise forms.ValidationError(INVALID, code="invalid_login")
        if self.account.is_suspended:
            # Only someone who knows the password learns this; anyone else sees INVALID.
            self.failure = "suspended"
            raise forms.ValidationError(SUSPENDED, code="suspended")
        self.user = self.account
        return self.cleaned_data


class MfaCodeForm(forms.Form):
    """The second step: a code from the authenticator app, or one of the backup codes."""

    code = forms.CharField(
        label="Code from your authenticator app, or a backup code",
        max_length=64,
        error_messages={"required": "Enter the code."},
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )
