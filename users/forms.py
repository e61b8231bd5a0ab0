from django import forms

from users.search import DEFAULT_PAGE_SIZE, PAGE_SIZES


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


class AddUserForm(forms.Form):
    """Add user: at least one identifier; the rules themselves live in users.services."""

    primary_email = forms.CharField(
        label="Email",
        required=False,
        max_length=128,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "name@example.com"}),
    )
    primary_phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "off", "placeholder": "+1 202 555 0143"}
        ),
    )
    username = forms.CharField(
        required=False,
        max_length=128,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(required=False, max_length=128)
