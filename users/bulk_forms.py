"""The bulk-action form: which action, on which users (ticked ids or "all N matching" the table
URL), its role or organization, and the typed count that confirms a delete or a big job."""

import re

from django import forms
from django.http import QueryDict

from users.filters import matching_users
from users.forms import UserSearchForm
from users.models import BulkJob, Organization, Role, User

MAX_IDS = 1000  # ticked on the table's pages; "all matching" has no limit
TYPED_COUNT_ABOVE = 100  # more users than this, or any delete, asks to type the count
USER_ID = re.compile(r"\A[0-9a-z]{1,12}\Z")
# The table's own parameters that do not change which users match.
NOT_FILTERS = ("page", "page_size")


class MultipleIdsField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        if len(values) > MAX_IDS:
            raise forms.ValidationError(f"Select at most {MAX_IDS:,} users, or all matching.")
        if not all(isinstance(v, str) and USER_ID.match(v) for v in values):
            raise forms.ValidationError("These are not user ids.")
        return list(dict.fromkeys(values))


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(choices=BulkJob.Action.choices, widget=forms.HiddenInput)
    ids = MultipleIdsField(required=False)
    all = forms.BooleanField(required=False, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    role = forms.ModelChoiceField(
        queryset=Role.objects.filter(type=Role.Type.USER).order_by("name"),
        required=False,
        empty_label="Choose a role",
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label="Choose an organization",
    )
    # The count the preview showed for "all matching" (a hidden field of its dialog): the start
    # is confirmed against it, so the request need not count every user again.
    previewed = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    confirmation = forms.CharField(
        required=False, max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, final=False, **kwargs):
        """`final`: the POST that starts the job (a role or organization is then required)."""
        super().__init__(*args, **kwargs)
        self.final = final
        action = self.data.get("action")
        if action not in (BulkJob.Action.ASSIGN_ROLE, BulkJob.Action.REMOVE_ROLE):
            del self.fields["role"]
        if action not in (BulkJob.Action.ADD_ORGANIZATION, BulkJob.Action.REMOVE_ORGANIZATION):
            del self.fields["organization"]

    def clean_query(self):
        query = self.cleaned_data["query"].lstrip("?")
        params = QueryDict(query, mutable=True)
        for name in NOT_FILTERS:
            params.pop(name, None)
        if not UserSearchForm(params).is_valid():
            raise forms.ValidationError("The table's filters are not valid.")
        return params.urlencode()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("all") and not data.get("ids"):
            raise forms.ValidationError("Select some users first, or all matching.")
        for name in ("role", "organization"):
            if self.final and name in self.fields and data.get(name) is None:
                self.add_error(name, f"Choose the {name}.")
        return data

    def selection(self) -> dict:
        if self.cleaned_data["all"]:
            return {"query": self.cleaned_data["query"]}
        return {"ids": self.cleaned_data["ids"]}

    def users(self):
        """The selected users, unordered (a queryset)."""
        if self.cleaned_data["all"]:
            return matching_users(QueryDict(self.cleaned_data["query"]))
        return User.objects.filter(pk__in=self.cleaned_data["ids"])

    def parameters(self) -> dict:
        data = self.cleaned_data
        if data.get("role"):
            return {"role": data["role"].pk}
        if data.get("organization"):
            return {"organization": data["organization"].pk}
        return {}

    def typed_count(self) -> int | None:
        """The count typed to confirm (digit groups separated as people write them), or None."""
        typed = re.sub(r"[\s,._']", "", self.cleaned_data.get("confirmation") or "")
        return int(typed) if typed.isascii() and typed.isdigit() else None

    def typed_count_matches(self, count: int) -> bool:
        return self.typed_count() == count


def needs_typed_count(action: str, count: int) -> bool:
    return action == BulkJob.Action.DELETE or count > TYPED_COUNT_ABOVE
