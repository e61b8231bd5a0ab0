from django import forms
from django.contrib.auth.forms import AuthenticationForm

from audit.recorder import client_ip
from console import throttle


class AdminSignInForm(AuthenticationForm):
    """Django's sign-in form, for staff only, counting every attempt before checking it."""

    error_messages = {
        "invalid_login": "Enter a correct username or email and password.",
        "inactive": "Enter a correct username or email and password.",
        "throttled": "Too many sign-in attempts. Wait a few minutes and try again.",
    }

    username = forms.CharField(
        label="Username or email",
        max_length=128,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password") is not None:
            ip = client_ip(self.request) if self.request else None
            if not throttle.reserve_attempt(username, ip):
                raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        cleaned = super().clean()
        if username:  # None when the field refused it (NUL, over-long): nothing to forget
            throttle.forget_account(username)
        return cleaned

    def confirm_login_allowed(self, user):
        # Same message as a wrong password: the form never tells which accounts exist.
        if not user.is_active or not user.is_staff:
            raise self.get_invalid_login_error()
