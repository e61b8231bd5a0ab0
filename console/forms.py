from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.views.decorators.debug import sensitive_variables

from audit.recorder import client_ip
from console import throttle


class AdminSignInForm(AuthenticationForm):
    """Django's sign-in form, for staff only, counting every attempt before checking it.

    After validation, `account` is the account the identifier names (or None) and `failure` says
    why a counted attempt failed: throttled, unknown_account, wrong_password, suspended or
    not_staff. Input that is not an attempt (a field missing or malformed) is neither counted
    nor recorded; the counter is cleared only by the view, after a successful sign-in.
    """

    throttle = throttle.CONSOLE

    error_messages = {
        "invalid_login": "Enter a correct username or email and password.",
        "inactive": "Enter a correct username or email and password.",
        "throttled": "Too many sign-in attempts. Wait a few minutes and try again.",
    }

    username = forms.CharField(
        label="Username or email",
        max_length=128,
        error_messages={"required": "Enter your username or email."},
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].error_messages["required"] = "Enter your password."
        self.account_key = ""
        self.account = None
        self.failure = ""

    @sensitive_variables()
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data  # the field errors say what is missing; nothing was tried
        self.account_key, self.account = throttle.find_account(username)
        ip = client_ip(self.request) if self.request else None
        if not self.throttle.reserve(self.account_key, ip):
            self.failure = "throttled"
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            self.failure = self._why_refused()
            raise

    def confirm_login_allowed(self, user):
        # Same message as a wrong password: the form never tells which accounts exist.
        if not user.is_active or not user.is_staff:
            raise self.get_invalid_login_error()

    def signed_in(self):
        """Called once the user is signed in: their account's count starts again."""
        self.throttle.clear(self.account_key)

    def _why_refused(self) -> str:
        # For the audit log only; the person signing in sees one message for all of these.
        if self.account is None:
            return "unknown_account"
        if self.account.is_suspended:
            return "suspended"
        if self.user_cache is not None:
            return "not_staff"
        return "wrong_password"
