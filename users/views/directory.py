from http import HTTPStatus

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import is_fragment
from users import filters, keyset, search, services
from users.forms import AddUserForm, UserTableForm
from users.models import Organization, Role, User
from users.views.refusals import refusal_status


def get_user_or_404(user_id: str) -> User:
    try:
        return User.objects.select_related("application").get(pk=user_id)
    except (User.DoesNotExist, ValueError):
        raise Http404("No such user") from None


@require_GET
@permission_required("users.view_user", raise_exception=True)
@vary_on_headers("HX-Request")
def user_list(request):
    form = UserTableForm(request.GET)
    template = "users/user_list.html"
    if is_fragment(request, "user-table"):
        template += "#user-table"
    if not form.is_valid():
        context = {"form": form, "result": None, **_filter_context(request, form, template)}
        return render(request, template, context, status=HTTPStatus.BAD_REQUEST)
    cleaned = form.cleaned_data
    result = search.search_users(
        cleaned["search"],
        page=cleaned["page"],
        page_size=cleaned["page_size"],
        queryset=filters.facet_queryset(cleaned),
        order=filters.ordering(cleaned["sort"]),
        cap_total=True,
        cursor=cleaned["cursor"],
    )
    context = {"form": form, "result": result, **_filter_context(request, form, template)}
    context["pager"] = _keyset_links(request, result, cleaned["sort"])
    return render(request, template, context)


def _keyset_links(request, result, sort) -> dict | None:
    """Previous / next links of a table without keywords: cursors at the page's first and last
    rows (users.keyset); None for a keyword search, which pages by number."""
    if result.terms or not result.users:
        return None
    links = {}
    if result.has_next:
        last = keyset.cursor_of(result.users[-1], sort, result.end_index, after=True)
        links["next"] = _link(request, after=last)
    if result.has_previous:
        if result.start_index - result.page_size <= 1:
            links["previous"] = _link(request)  # the first page has a plain URL
        else:
            first = keyset.cursor_of(result.users[0], sort, result.start_index, after=False)
            links["previous"] = _link(request, before=first)
    return links


_PAGING = ("page", "after", "before")


def _link(request, **changes) -> str:
    """This URL's query with `changes` (None or "" removes a parameter), back on page 1."""
    params = request.GET.copy()
    for key in (*_PAGING, *changes):
        params.pop(key, None)
    for key, value in changes.items():
        if value:
            params[key] = value
    query = params.urlencode()
    return "?" + query if query else "?"


# The column headers that sort, and the direction a first click asks for.
_SORTABLE_COLUMNS = {"name": "name", "last_sign_in": "-last_sign_in"}


def _filter_context(request, form, template) -> dict:
    """Chips for the active facets (each a link without it), the "Clear filters" link, and the
    sortable headers' links and aria-sort."""

    def link(**changes):
        return _link(request, **changes)

    cleaned = getattr(form, "cleaned_data", {})
    chips = []
    for name in form.FACETS:
        raw = request.GET.get(name, "")
        if raw:
            label = form.fields[name].label or name.capitalize()
            bad = name in form.errors
            if not bad and name in _NAMED:
                named = _NAMED[name].objects.filter(pk=raw).values_list("name", flat=True)
                raw = named.first() or raw
            chips.append({"label": label, "value": raw, "url": link(**{name: None}), "bad": bad})
    clear = link(**dict.fromkeys(form.FACETS))
    sort = "" if "sort" in form.errors else cleaned.get("sort") or ""
    headers = {}
    for column, first in _SORTABLE_COLUMNS.items():
        if sort.lstrip("-") == column:
            aria = "descending" if sort.startswith("-") else "ascending"
            wanted = column if sort.startswith("-") else "-" + column
        else:
            aria, wanted = "", first
        headers[column] = {"aria": aria, "url": link(sort=wanted)}
    context = {"chips": chips, "clear_filters": clear, "sort_headers": headers}
    if "#" not in template:  # the filter bar is outside the table's fragment
        context |= {
            "facet_open": bool(chips) or "sort" in form.errors,
            **dict(zip(("facet_roles", "facet_organizations"), _facet_choices(), strict=True)),
            "sorts": _SORT_LABELS,
            # The search form carries the active facets and sort as hidden fields.
            "active_params": [
                (name, request.GET[name])
                for name in (*form.FACETS, "sort")
                if request.GET.get(name, "") != ""
            ],
        }
    return context


_NAMED = {"role": Role, "organization": Organization}
_SORT_LABELS = [
    ("", "Newest first"),
    ("created", "Oldest first"),
    ("name", "Name A–Z"),
    ("-name", "Name Z–A"),
    ("email", "Email A–Z"),
    ("-email", "Email Z–A"),
    ("-last_sign_in", "Latest sign-in, newest first"),
    ("last_sign_in", "Latest sign-in, oldest first"),
]
FACET_CHOICES_MAX = 200  # more roles or organizations than this: type the id instead


def _facet_choices() -> tuple[list | None, list | None]:
    """(id, name) of the user roles and of the organizations for the facets' <select>s, in one
    round trip (two ORM queries cost ~1 ms of the page); None where there are too many (a text
    field then). Not cached: the console keeps no per-process caches (DESIGN, "Growing")."""
    limit = FACET_CHOICES_MAX + 1
    roles, organizations = Role._meta.db_table, Organization._meta.db_table
    sql = (
        f"SELECT * FROM (SELECT 'r', id, name FROM {roles} WHERE type = %s"
        f" ORDER BY name, id LIMIT {limit}) AS r"
        f" UNION ALL SELECT * FROM (SELECT 'o', id, name FROM {organizations}"
        f" ORDER BY name, id LIMIT {limit}) AS o"
        " ORDER BY 1, 3, 2"
    )
    found = {"r": [], "o": []}
    with connection.cursor() as cursor:
        cursor.execute(sql, [Role.Type.USER])
        for kind, pk, name in cursor.fetchall():
            found[kind].append((pk, name))
    return tuple(None if len(rows) > FACET_CHOICES_MAX else rows for rows in found.values())


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required("users.add_user", raise_exception=True)
@vary_on_headers("HX-Request")
@sensitive_variables("created", "context")
def user_new(request):
    fragment = "#add-user" if is_fragment(request) else ""
    status = HTTPStatus.OK
    if request.method == "POST":
        form = AddUserForm(request.POST)
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            try:
                created = services.create_user(
                    origin=Origin.from_request(request), generate=True, **form.cleaned_data
                )
            except ValidationError as error:
                status = refusal_status(error)
                form.add_error(None, error)
            else:
                context = {"created_user": created.user, "password": created.password}
                fragment = "#user-created" if is_fragment(request) else ""
                return render(request, "users/user_created.html" + fragment, context)
    else:
        form = AddUserForm()
    return render(request, "users/user_new.html" + fragment, {"form": form}, status=status)
