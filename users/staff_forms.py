"""Forms of the Members page; the rules themselves live in users.staff."""

from django import forms

from users.forms import AddUserForm
from users.staff import ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, VIEWER


def _role_field(initial=VIEWER):
    return forms.ChoiceField(
        label="Role",
        choices=[(r, f"{ROLE_LABELS[r]}: {ROLE_DESCRIPTIONS[r]}") for r in ROLES],
        initial=initial,
        widget=forms.RadioSelect,
    )


class AddMemberForm(forms.Form):
    """A new account for a console member: an email or a username; the password is generated."""

    primary_email = AddUserForm.base_fields["primary_email"]
    username = AddUserForm.base_fields["username"]
    name = AddUserForm.base_fields["name"]
    role = _role_field()


class GrantMemberForm(forms.Form):
    """Console access for a user who exists already; they keep their own password."""

    identifier = forms.CharField(
        label="Email or username",
        max_length=128,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = _role_field()


class MemberRoleForm(forms.Form):
    role = _role_field()
