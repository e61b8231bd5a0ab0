"""Console forms of access control. They parse and shape input; the rules (uniqueness, role
types, redirect URIs) live in the users.access verbs, which report errors on these field names."""

import json
import re

from django import forms
from django.core.exceptions import ValidationError

from users import profile_rules
from users.forms import UserSearchForm
from users.models import Application, Organization, OrganizationRole, Role, Scope
from users.models.access import DESCRIPTION_MAX, NAME_MAX

MAX_CHOICES = 500  # ids in one submission: more is not a person ticking boxes
_ID_RE = re.compile(r"^[0-9a-z]{1,21}\Z")


class ListForm(UserSearchForm):
    """`search`, `page`, `page_size` of every list; nonsense is a 400, never a 500."""


class _IdChecks:
    """Refuse what cannot be one of our ids before it reaches the database (a NUL byte there is
    a database error, not a form error)."""

    def _check_id(self, value):
        if value in self.empty_values:
            return
        if not isinstance(value, str) or not _ID_RE.match(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": "…"}
            )


class IdChoiceField(_IdChecks, forms.ModelChoiceField):
    def to_python(self, value):
        self._check_id(value)
        return super().to_python(value)


class IdMultipleChoiceField(_IdChecks, forms.ModelMultipleChoiceField):
    max_choices = MAX_CHOICES

    def _check_values(self, value):
        if len(value) > self.max_choices:
            raise forms.ValidationError(
                f"Choose at most {self.max_choices} at once.", code="too_many"
            )
        for pk in value:
            self._check_id(pk)
        return super()._check_values(value)


def _name_field():
    return forms.CharField(
        max_length=NAME_MAX, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


def _description_field(limit=DESCRIPTION_MAX):
    return forms.CharField(required=False, max_length=limit)


def _scopes_field():
    return IdMultipleChoiceField(
        label="Permissions",
        queryset=Scope.objects.select_related("resource"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class OrganizationRoleForm(forms.Form):
    """A name, a description and the permissions granted: an organization role, and the base of
    RoleForm. `role` (when editing) gives the initial values."""

    name = _name_field()
    description = _description_field()
    scopes = _scopes_field()

    def __init__(self, *args, role: Role | OrganizationRole | None = None, **kwargs):
        if role is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": role.name,
                    "description": role.description,
                    "scopes": [s.pk for s in role.scopes.all()],
                },
            )
        super().__init__(*args, **kwargs)

    def selected_scope_ids(self) -> set[str]:
        value = self["scopes"].value() or []
        return {str(getattr(v, "pk", v)) for v in value}


class RoleForm(OrganizationRoleForm):
    """An organization role's fields plus the type, chosen once: editing drops it."""

    field_order = ["name", "description", "type", "scopes"]
    type = forms.ChoiceField(
        choices=Role.Type.choices,
        initial=Role.Type.USER,
        widget=forms.RadioSelect,
        help_text="User roles go to users; machine-to-machine roles to machine-to-machine apps. "
        "Fixed once created.",
    )

    def __init__(self, *args, role: Role | None = None, **kwargs):
        super().__init__(*args, role=role, **kwargs)
        if role is not None:
            del self.fields["type"]


class ApiResourceForm(forms.Form):
    name = _name_field()
    indicator = forms.CharField(
        label="API identifier",
        max_length=256,
        help_text="The audience of its access tokens, e.g. https://api.example.com. Fixed once created.",
        widget=forms.URLInput(
            attrs={"placeholder": "https://api.example.com", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["indicator"]


class ScopeForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"placeholder": "read:orders", "autocomplete": "off"}),
    )
    description = _description_field()


class JSONObjectField(forms.CharField):
    """A JSON object typed into a textarea: at most 32 KiB and 16 levels, no NUL characters."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return value

    def to_python(self, value):
        try:
            return profile_rules.clean_custom_data(value or "")
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class OrganizationForm(forms.Form):
    name = _name_field()
    description = _description_field()
    custom_data = JSONObjectField(label="Custom data", required=False, max_length=None)


class ApplicationForm(forms.Form):
    name = _name_field()
    type = forms.ChoiceField(
        choices=Application.Type.choices,
        initial=Application.Type.TRADITIONAL,
        widget=forms.RadioSelect,
        help_text="Fixed once created.",
    )
    description = forms.CharField(
        required=False, max_length=1024, widget=forms.Textarea(attrs={"rows": 2})
    )
    redirect_uris = forms.CharField(
        label="Redirect URIs",
        required=False,
        max_length=4096,
        help_text="One per line. Not used by machine-to-machine apps.",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )

    def __init__(self, *args, application: Application | None = None, **kwargs):
        if application is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": application.name,
                    "description": application.description,
                    "redirect_uris": "\n".join(application.redirect_uris.split()),
                },
            )
        super().__init__(*args, **kwargs)
        if application is not None:
            del self.fields["type"]
            if application.is_machine_to_machine:
                del self.fields["redirect_uris"]


# --- A user's roles and organizations ----------------------------------------------------


class AssignRolesForm(forms.Form):
    """The roles ticked in the Assign roles dialog; any role id is accepted here so that the
    service can say why a machine-to-machine role is refused."""

    roles = IdMultipleChoiceField(
        queryset=Role.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role."},
    )


class RoleChoicesForm(forms.Form):
    """The Assign roles dialog's GET: a search, and the roles ticked so far (kept while searching)."""

    search = forms.CharField(required=False, max_length=200)
    roles = IdMultipleChoiceField(queryset=Role.objects.all(), required=False)


def _organization_roles_field():
    return IdMultipleChoiceField(
        label="Organization roles",
        queryset=OrganizationRole.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AddMembershipForm(forms.Form):
    organization = IdChoiceField(
        queryset=Organization.objects.all(),
        error_messages={"required": "Choose an organization."},
        widget=forms.RadioSelect,
    )
    roles = _organization_roles_field()


class OrganizationChoicesForm(forms.Form):
    """The Add to organization dialog's GET: a search and the organization chosen so far."""

    search = forms.CharField(required=False, max_length=200)
    organization = IdChoiceField(queryset=Organization.objects.all(), required=False)


class MembershipRolesForm(forms.Form):
    roles = _organization_roles_field()
