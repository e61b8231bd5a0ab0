"""Which users a console table URL (or an API query) selects: keyword search plus facets.

`matching_users` is the one entry point bulk actions and exports use to act on "all N matching".
The console table and `GET /api/users` parse the same parameters with `UserFilterForm`, build the
same queryset with `facet_queryset`, and order it with `ordering`: one query builder for both.

Facets (GET parameters, all optional, combined with AND):
    status=active|suspended, role=<role id>, organization=<organization id>, mfa=yes|no,
    password=yes|no, social=any|none|<provider target>, created_from / created_to (dates,
    inclusive), signed_in_from / signed_in_to (dates, inclusive), never_signed_in=yes,
    inactive_days=N, data=<key>=<value> or data=<key> (custom data; dots name nested keys).
Sort: sort=name|email|created|last_sign_in, "-" for descending; NULLs (and empty names) last,
ties broken by id in the same direction. Pages of a table without keywords are keyset pages in
that order (users.keyset), each served by the sort's own index (migrations 0010 and 0012).

There is no "invited" status: a user row is an account, and Gatehouse has no invitation state.
"""

import json
import re
from collections.abc import Mapping
from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Exists, F, Lookup, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import LessThan
from django.utils import timezone

from users import search
from users.models import Identity, Membership, MfaFactor, Organization, Role, User, UserRole

_ID_VALIDATOR = RegexValidator(r"^[\w-]{1,64}\Z", "Not an id.", flags=re.ASCII)
_TARGET_RE = re.compile(r"^[\w.-]{1,64}\Z", re.ASCII)
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}\Z")
MAX_INACTIVE_DAYS = 36_500

YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
STATUSES = [("", "Any"), ("active", "Active"), ("suspended", "Suspended")]

# sort key -> (label, expression): ascending as written, "-key" descending.
_SORT_FIELDS = {
    "name": ("Name", NullIf(F("name"), Value(""))),
    "email": ("Email", F("primary_email")),
    "created": ("Created", F("created_at")),
    "last_sign_in": ("Latest sign-in", F("last_sign_in_at")),
}
SORTS = [key for field in _SORT_FIELDS for key in (field, "-" + field)]


def sort_expression(field: str):
    """What a sort key orders by (its index's expression): "name", "email", "created" or
    "last_sign_in"."""
    return _SORT_FIELDS[field][1]


def ordering(sort: str) -> list | None:
    """ORDER BY for a sort key: NULLs last either way, id as the tie-break. None: the default
    (newest first, the table's index)."""
    if not sort:
        return None
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    expression = sort_expression(field)
    if field == "created":  # never NULL: the newest-first index serves both directions as is
        return [expression.desc(), F("id").desc()] if descending else [expression, F("id")]
    if descending:
        return [expression.desc(nulls_last=True), F("id").desc()]
    return [expression.asc(nulls_last=True), F("id").asc()]


class _IdField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=64, validators=[_ID_VALIDATOR], **kwargs)


class UserFilterForm(forms.Form):
    """The facets, keyword search and sort of a user list URL; a bad value is a form error."""

    search = forms.CharField(required=False, max_length=200, strip=True)
    status = forms.ChoiceField(required=False, choices=STATUSES)
    role = _IdField(label="Role")
    organization = _IdField(label="Organization")
    mfa = forms.ChoiceField(label="Has MFA", required=False, choices=YES_NO)
    password = forms.ChoiceField(label="Has password", required=False, choices=YES_NO)
    social = forms.CharField(label="Social identity", required=False, max_length=64)
    created_from = forms.DateField(label="Created from", required=False)
    created_to = forms.DateField(label="Created to", required=False)
    signed_in_from = forms.DateField(label="Signed in from", required=False)
    signed_in_to = forms.DateField(label="Signed in to", required=False)
    never_signed_in = forms.ChoiceField(
        label="Never signed in", required=False, choices=[("", "—"), ("yes", "Yes")]
    )
    inactive_days = forms.IntegerField(
        label="Inactive for (days)", required=False, min_value=1, max_value=MAX_INACTIVE_DAYS
    )
    data = forms.CharField(label="Custom data", required=False, max_length=200, strip=True)
    sort = forms.ChoiceField(
        required=False, choices=[("", "Newest first"), *((key, key) for key in SORTS)]
    )

    FACETS = (
        "status",
        "role",
        "organization",
        "mfa",
        "password",
        "social",
        "created_from",
        "created_to",
        "signed_in_from",
        "signed_in_to",
        "never_signed_in",
        "inactive_days",
        "data",
    )

    def clean_role(self):
        return self._existing(Role, "role", "No such role.")

    def clean_organization(self):
        return self._existing(Organization, "organization", "No such organization.")

    def _existing(self, model, name, message):
        value = self.cleaned_data.get(name) or ""
        if value and not model.objects.filter(pk=value).exists():
            raise ValidationError(message, code="invalid_choice")
        return value

    def clean_social(self):
        value = self.cleaned_data.get("social") or ""
        if value and not _TARGET_RE.match(value):
            raise ValidationError(
                "Use any, none or a provider's name (letters, digits, . _ -).", code="invalid"
            )
        return value

    def clean_data(self):
        value = self.cleaned_data.get("data") or ""
        if not value:
            return None
        key, equals, wanted = value.partition("=")
        key = key.strip()
        if not _KEY_RE.match(key):
            raise ValidationError(
                "Write key=value or key: a key of letters, digits, _ and -, dots for nested keys.",
                code="invalid",
            )
        if "\x00" in wanted:
            raise ValidationError("Values cannot contain NUL characters.", code="invalid")
        return (key.split("."), wanted.strip() if equals else None)

    def clean(self):
        cleaned = super().clean()
        for start, end in (("created_from", "created_to"), ("signed_in_from", "signed_in_to")):
            if cleaned.get(start) and cleaned.get(end) and cleaned[start] > cleaned[end]:
                self.add_error(end, "The end date is before the start date.")
        if cleaned.get("never_signed_in") and (
            cleaned.get("signed_in_from") or cleaned.get("signed_in_to")
        ):
            self.add_error("never_signed_in", "“Never signed in” excludes sign-in dates.")
        return cleaned

    def has_facets(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.FACETS)


def parse(params: Mapping) -> dict:
    """The cleaned parameters, or ValidationError (its error_dict names the bad parameters)."""
    form = UserFilterForm(params)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


def matching_users(params: Mapping) -> QuerySet:
    """Every user the table shows for these URL parameters (keywords and facets), unordered.

    Raises ValidationError on a bad parameter.
    """
    cleaned = parse(params)
    queryset = facet_queryset(cleaned)
    if queryset is None:
        queryset = User.objects.all()
    terms = search.parse_terms(cleaned.get("search", ""))
    return search._filter_terms(queryset, terms).order_by()


def facet_queryset(cleaned: dict, queryset: QuerySet | None = None) -> QuerySet | None:
    """The users the facets in `cleaned` select (keywords not applied); None without facets,
    so the unfiltered table keeps its fast paths."""
    conditions = list(_conditions(cleaned))
    if not conditions:
        return queryset
    base = queryset if queryset is not None else User.objects.all()
    return base.filter(*conditions)


def _conditions(cleaned: dict):
    status = cleaned.get("status")
    if status:
        yield Q(is_suspended=status == "suspended")
    if cleaned.get("role"):
        yield Exists(UserRole.objects.filter(user=OuterRef("pk"), role_id=cleaned["role"]))
    if cleaned.get("organization"):
        yield Exists(
            Membership.objects.filter(user=OuterRef("pk"), organization_id=cleaned["organization"])
        )
    mfa = cleaned.get("mfa")
    if mfa:
        has = Exists(MfaFactor.objects.filter(user=OuterRef("pk")))
        yield has if mfa == "yes" else ~has
    password = cleaned.get("password")
    if password:
        # Django marks an unusable password with a leading "!"; "" is none at all.
        usable = ~Q(password__startswith="!") & ~Q(password="")
        yield usable if password == "yes" else ~usable
    social = cleaned.get("social")
    if social:
        identities = Identity.objects.filter(user=OuterRef("pk"))
        if social not in ("any", "none"):
            identities = identities.filter(target=social)
        yield ~Exists(identities) if social == "none" else Exists(identities)
    yield from _between("created_at", cleaned.get("created_from"), cleaned.get("created_to"))
    yield from _between(
        "last_sign_in_at", cleaned.get("signed_in_from"), cleaned.get("signed_in_to")
    )
    if cleaned.get("never_signed_in"):
        yield Q(last_sign_in_at__isnull=True)
    days = cleaned.get("inactive_days")
    if days:
        cutoff = timezone.now() - timedelta(days=days)
        # No sign-in since the cutoff (signed in before it, or never) by an account created
        # before it: the created_at bound lets the newest-first index skip the recent accounts.
        # Never signed in: created_at stands in (it is before the cutoff). An expression no index
        # serves: a bitmap of the sign-in index (15 %+ of users) cost a keyword's count 33 ms at 1 M.
        yield Q(created_at__lt=cutoff) & LessThan(Coalesce("last_sign_in_at", "created_at"), cutoff)
    data = cleaned.get("data")
    if data:
        path, wanted = data
        if wanted is None:
            yield _JsonKeyExists(F("custom_data"), path)
        else:
            yield _JsonKeyEquals(F("custom_data"), (path, wanted))


def _between(column, start, end):
    zone = timezone.get_current_timezone()
    if start:
        yield Q(**{f"{column}__gte": datetime.combine(start, time.min, tzinfo=zone)})
    if end:
        day_after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        yield Q(**{f"{column}__lt": day_after})


def _json_candidates(text: str) -> list:
    """What `key=text` matches: the string itself, and the number or boolean it spells."""
    candidates = [text]
    try:
        parsed = json.loads(text)
    except ValueError:
        return candidates
    if isinstance(parsed, bool | int | float) and parsed == parsed and abs(parsed) != float("inf"):
        candidates.append(parsed)
    return candidates


def _jsonpath(path: list[str]) -> str:
    return "$" + "".join(f'."{part}"' for part in path)  # parts are [A-Za-z0-9_-] only


class _JsonKeyExists(Lookup):
    """custom_data has the key path. PostgreSQL: `?` on the first key (served by the GIN index;
    a bare `@?` path is not) and `@?` for the whole path; SQLite: json_type() is not NULL."""

    lookup_name = "gatehouse_key_exists"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        path = _jsonpath(self.rhs)
        if connection.vendor == "postgresql":
            sql = f"({lhs} ? %s AND {lhs} @? %s::jsonpath)"
            return sql, [*params, self.rhs[0], *params, path]
        return f"json_type({lhs}, %s) IS NOT NULL", [*params, path]


class _JsonKeyEquals(Lookup):
    """custom_data's key path holds the value (a string, or the number/boolean it spells).
    PostgreSQL: containment `@>` (the GIN index); SQLite: json_type() and json_extract()."""

    lookup_name = "gatehouse_key_equals"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = compiler.compile(self.lhs)
        path, text = self.rhs
        parts, params = [], []
        for value in _json_candidates(text):
            if connection.vendor == "postgresql":
                nested = value
                for key in reversed(path):
                    nested = {key: nested}
                parts.append(f"{lhs} @> %s::jsonb")
                params += [*lhs_params, json.dumps(nested)]
            else:
                where = _jsonpath(path)
                if isinstance(value, bool):
                    parts.append(f"json_type({lhs}, %s) = %s")
                    params += [*lhs_params, where, "true" if value else "false"]
                elif isinstance(value, str):
                    parts.append(
                        f"(json_type({lhs}, %s) = 'text' AND json_extract({lhs}, %s) = %s)"
                    )
                    params += [*lhs_params, where, *lhs_params, where, value]
                else:
                    parts.append(
                        f"(json_type({lhs}, %s) IN ('integer', 'real')"
                        f" AND json_extract({lhs}, %s) = %s)"
                    )
                    params += [*lhs_params, where, *lhs_params, where, value]
        return "(" + " OR ".join(parts) + ")", params


__all__ = [
    "SORTS",
    "UserFilterForm",
    "facet_queryset",
    "matching_users",
    "ordering",
    "parse",
]
