"""The list queries of access control: roles, API resources, organizations, organization roles,
applications, and a user's roles and memberships. Each is one page of rows plus an exact count:
these tables are small next to the user table, and a user's roles are at most a few hundred.

Per-row numbers that could be huge ("users with this role", up to millions) are counted in the
same query up to a cap, so a page costs the same whatever the data.
"""

from collections import defaultdict

from django.db.models import IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL

from users.models import (
    ApiResource,
    Application,
    Membership,
    Organization,
    OrganizationRole,
    Role,
    Scope,
    User,
    UserRole,
)
from users.search import Total, UserPage, max_page, parse_terms

COUNT_CAP = 1000  # per-row counts above this show as "1,000+"
CHOICES_LIMIT = 50  # rows offered at once in a picker; search narrows the rest


class Page(UserPage):
    """users.search's page arithmetic (links, "1–20") for any list; `items` are the rows."""

    @property
    def items(self):
        return self.users


def filter_terms(queryset: QuerySet, terms: list[str], fields: tuple[str, ...]) -> QuerySet:
    for term in terms:
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(match)
    return queryset


def paginate(queryset: QuerySet, *, terms: list[str], page: int, page_size: int) -> Page:
    total = queryset.count()
    last_page = max(1, -(-total // page_size))
    page = max(1, min(page, last_page, max_page(page_size)))
    offset = (page - 1) * page_size
    rows = list(queryset[offset : offset + page_size])
    return Page(
        users=rows,
        terms=terms,
        page=page,
        page_size=page_size,
        total=total,
        total_kind=Total.EXACT,
        has_next=page < last_page,
        last_page=last_page,
    )


def per_row_count(model, column: str, outer_table: str, cap: int | None = None) -> RawSQL:
    """A column of each listed row: `(rows of model whose column = outer row's id)`, counted up
    to cap + 1 in SQL: one index range scan of at most cap + 1 entries per row, however many
    there are. `count_capped` is the same count for one queryset (a detail page)."""
    table = model._meta.db_table
    cap = COUNT_CAP if cap is None else cap
    return RawSQL(
        f'(SELECT COUNT(*) FROM (SELECT 1 FROM "{table}" WHERE "{table}"."{column}" = '
        f'"{outer_table}"."id" LIMIT {cap + 1}) AS capped)',
        (),
        output_field=IntegerField(),
    )


# --- The console lists -------------------------------------------------------------------


def search_roles(search="", *, page=1, page_size=20) -> Page:
    terms = parse_terms(search, phone=False)
    roles = filter_terms(Role.objects.all(), terms, ("name", "description", "id")).annotate(
        user_count=per_row_count(UserRole, "role_id", Role._meta.db_table),
        scope_count=per_row_count(Role.scopes.through, "role_id", Role._meta.db_table),
    )
    return paginate(roles.order_by("name", "id"), terms=terms, page=page, page_size=page_size)


def search_resources(search="", *, page=1, page_size=20) -> Page:
    terms = parse_terms(search, phone=False)
    resources = filter_terms(ApiResource.objects.all(), terms, ("name", "indicator", "id"))
    resources = resources.annotate(
        scope_count=per_row_count(Scope, "resource_id", ApiResource._meta.db_table)
    )
    return paginate(resources.order_by("name", "id"), terms=terms, page=page, page_size=page_size)


def search_organizations(search="", *, page=1, page_size=20) -> Page:
    terms = parse_terms(search, phone=False)
    organizations = filter_terms(
        Organization.objects.all(), terms, ("name", "description", "id")
    ).annotate(
        member_count=per_row_count(Membership, "organization_id", Organization._meta.db_table)
    )
    return paginate(
        organizations.order_by("name", "id"), terms=terms, page=page, page_size=page_size
    )


def search_organization_roles(search="", *, page=1, page_size=20) -> Page:
    terms = parse_terms(search, phone=False)
    roles = filter_terms(OrganizationRole.objects.all(), terms, ("name", "description", "id"))
    roles = roles.annotate(
        scope_count=per_row_count(
            OrganizationRole.scopes.through, "organizationrole_id", OrganizationRole._meta.db_table
        )
    )
    return paginate(roles.order_by("name", "id"), terms=terms, page=page, page_size=page_size)


def search_applications(search="", *, page=1, page_size=20) -> Page:
    terms = parse_terms(search, phone=False)
    apps = filter_terms(
        Application.objects.all(), terms, ("name", "description", "id", "client_id")
    )
    return paginate(apps.order_by("name", "id"), terms=terms, page=page, page_size=page_size)


def count_capped(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """How many rows, counting no further than cap: (count, True) when there are more (a detail
    page's number; a list's per-row numbers are `per_row_count`)."""
    cap = COUNT_CAP if cap is None else cap
    count = queryset.values("pk")[: cap + 1].count()
    return min(count, cap), count > cap


# --- Roles and permissions ---------------------------------------------------------------


def scopes_by_resource(scopes=None) -> list[tuple[ApiResource, list[Scope]]]:
    """Permissions grouped under their API, in name order (all of them, or those given)."""
    if scopes is None:
        scopes = Scope.objects.all()
    groups = defaultdict(list)
    resources = {}
    for scope in scopes.select_related("resource").order_by(
        "resource__name", "resource_id", "name"
    ):
        resources[scope.resource_id] = scope.resource
        groups[scope.resource_id].append(scope)
    return [(resources[key], groups[key]) for key in resources]


# --- A user's roles and memberships ------------------------------------------------------


def search_user_roles(user: User, search="", *, page=1, page_size=20) -> Page:
    """The user's roles (Logto searches a user's roles by id, name and description)."""
    terms = parse_terms(search, phone=False)
    roles = filter_terms(
        Role.objects.filter(assignments__user=user), terms, ("name", "description", "id")
    )
    return paginate(roles.order_by("name", "id"), terms=terms, page=page, page_size=page_size)


def assignable_roles(user: User, search="", *, selected=(), limit=CHOICES_LIMIT):
    """User roles the user does not have that match `search` (at most `limit`, plus those already
    ticked in `selected`, kept first so searching never loses a choice). Returns (roles, more)."""
    terms = parse_terms(search, phone=False)
    candidates = Role.objects.filter(type=Role.Type.USER).exclude(assignments__user=user)
    chosen = list(candidates.filter(pk__in=[r.pk for r in selected]).order_by("name"))
    matching = filter_terms(candidates, terms, ("name", "description", "id")).exclude(
        pk__in=[r.pk for r in chosen]
    )
    rows = list(matching.order_by("name", "id")[: limit + 1])
    return chosen + rows[:limit], len(rows) > limit


def effective_permissions(user: User) -> list[dict]:
    """Every permission the user's roles grant, with the roles it comes through, grouped by API:
    [{"resource": r, "scopes": [{"scope": s, "roles": [role, ...]}, ...]}, ...]. One query."""
    through = Role.scopes.through
    rows = (
        through.objects.filter(role__assignments__user=user)
        .select_related("scope__resource", "role")
        .order_by("scope__resource__name", "scope__resource_id", "scope__name", "role__name")
    )
    groups: dict[str, dict] = {}
    for row in rows:
        scope, resource = row.scope, row.scope.resource
        group = groups.setdefault(resource.pk, {"resource": resource, "scopes": {}})
        entry = group["scopes"].setdefault(scope.pk, {"scope": scope, "roles": []})
        entry["roles"].append(row.role)
    return [{**g, "scopes": list(g["scopes"].values())} for g in groups.values()]


def search_user_memberships(user: User, search="", *, page=1, page_size=20) -> Page:
    terms = parse_terms(search, phone=False)
    memberships = filter_terms(
        Membership.objects.filter(user=user).select_related("organization"),
        terms,
        ("organization__name", "organization__description", "organization__id"),
    ).prefetch_related("roles")
    return paginate(
        memberships.order_by("organization__name", "organization_id"),
        terms=terms,
        page=page,
        page_size=page_size,
    )


def joinable_organizations(user: User, search="", *, selected=None, limit=CHOICES_LIMIT):
    """Organizations the user is not in that match `search` (the chosen one kept first)."""
    terms = parse_terms(search, phone=False)
    candidates = Organization.objects.exclude(memberships__user=user)
    chosen = list(candidates.filter(pk=selected.pk)) if selected is not None else []
    matching = filter_terms(candidates, terms, ("name", "description", "id")).exclude(
        pk__in=[o.pk for o in chosen]
    )
    rows = list(matching.order_by("name", "id")[: limit + 1])
    return chosen + rows[:limit], len(rows) > limit
