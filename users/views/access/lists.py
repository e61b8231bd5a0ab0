"""The searchable lists of the access wing, as data: what each one shows.

One page template (templates/access/list.html) and one table (templates/access/_list_table.html)
serve them all; a list names its columns and the template of one row. A new list is a `ListPage`
here with its query, a row template, and a line in the URL map (users/access/urls.py) that
serves it with `access_list`; a user's tab calls `show_list` with the user.
"""

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils.text import capfirst
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from console.dialogs import is_fragment, render_page
from users.access import search as access_search
from users.access.forms import ListForm
from users.views.access._common import READ

LIST_TEMPLATE = "access/list.html"


@dataclass(frozen=True)
class ListPage:
    url: str  # the list's URL name (its search form's action)
    target: str  # the table's element id: what htmx asks for, and swaps
    one: str  # the noun of the total: "1 role", "3 roles"
    columns: tuple[str, ...]
    row: str  # the template of one row; it reads `item`
    query: Callable  # users.access.search: (*show_list's query_args, search, page=, page_size=)
    placeholder: str  # the search box's
    many: str = ""  # "<one>s" when not given
    title: str = ""  # "<Many>" when not given
    none: str = ""  # what an empty list says: "No <many> yet." when not given
    search_label: str = ""  # "Search <many>" when not given
    heading: str = ""  # the h1 when it is not the title
    intro: str = ""
    tabs: str = ""  # the current tab of access/_organization_tabs.html
    create: str = ""  # the URL name of the Create dialog; its button says "Create <one>"
    create_permission: str = ""
    actions: tuple[str, ...] = ()  # permissions that show the rows' actions column

    def __post_init__(self):
        many = self.many or f"{self.one}s"
        defaults = {
            "many": many,
            "title": capfirst(many),
            "none": f"No {many} yet.",
            "search_label": f"Search {many}",
        }
        for field, value in defaults.items():
            if not getattr(self, field):
                object.__setattr__(self, field, value)

    @property
    def create_label(self) -> str:
        return f"Create {self.one}"


ROLES = ListPage(
    url="access:roles",
    target="role-table",
    one="role",
    columns=("Role", "Description", "Type", "Permissions", "Users"),
    row="access/_role_row.html",
    query=access_search.search_roles,
    placeholder="Search by name, description or id",
    intro="A role is a set of permissions. User roles are given to users; machine-to-machine "
    "roles to machine-to-machine apps.",
    create="access:role-new",
    create_permission="users.add_role",
)
RESOURCES = ListPage(
    url="access:api-resources",
    target="resource-table",
    one="API resource",
    columns=("API resource", "API identifier", "Permissions"),
    row="access/_resource_row.html",
    query=access_search.search_resources,
    placeholder="Search by name, API identifier or id",
    intro="The APIs that accept this service's access tokens, and the permissions (scopes) they "
    "define.",
    create="access:api-resource-new",
    create_permission="users.add_apiresource",
)
ORGANIZATIONS = ListPage(
    url="access:organizations",
    target="organization-table",
    one="organization",
    columns=("Organization", "Description", "Members", "Created"),
    row="access/_organization_row.html",
    query=access_search.search_organizations,
    placeholder="Search by name, description or id",
    tabs="organizations",
    create="access:organization-new",
    create_permission="users.add_organization",
)
ORGANIZATION_ROLES = ListPage(
    heading="Organizations",
    url="access:organization-roles",
    target="organization-role-table",
    one="organization role",
    columns=("Organization role", "Description", "Permissions"),
    row="access/_organization_role_row.html",
    query=access_search.search_organization_roles,
    placeholder="Search by name, description or id",
    tabs="organization-roles",
    intro="Organization roles are the same for every organization; a member holds some of them "
    "in each organization they belong to.",
    create="access:organization-role-new",
    create_permission="users.add_organizationrole",
    actions=("users.change_organizationrole", "users.delete_organizationrole"),
)
APPLICATIONS = ListPage(
    url="access:applications",
    target="application-table",
    one="application",
    columns=("Application", "Type", "Description", "Created"),
    row="access/_application_row.html",
    query=access_search.search_applications,
    placeholder="Search by name, description, id or client id",
    intro="The apps users sign in through, and machine-to-machine clients.",
    create="access:application-new",
    create_permission="users.add_application",
)
USER_ROLES = ListPage(
    url="users:roles",
    target="user-roles",
    one="role",
    none="This user has no roles yet.",
    columns=("Role", "Description", "Type"),
    row="access/_user_role_row.html",
    query=access_search.search_user_roles,
    search_label="Search the user's roles",
    placeholder="Search by role name, description or id",
    actions=("users.change_user",),
)
USER_ORGANIZATIONS = ListPage(
    url="users:organizations",
    target="user-organizations",
    one="organization",
    none="This user is in no organization yet.",
    columns=("Organization", "Organization roles", "Member since"),
    row="access/_membership_row.html",
    query=access_search.search_user_memberships,
    search_label="Search the user's organizations",
    placeholder="Search by organization name, description or id",
    actions=("users.change_user",),
)


@require_GET
@permission_required(READ, raise_exception=True)
@vary_on_headers("HX-Request")
def access_list(request, page):
    """One of the access wing's lists; the URL map says which (`page`)."""
    return show_list(request, page)


def show_list(request, page, *query_args, template=LIST_TEMPLATE, **context):
    """A searchable, paginated list: `page.query(*query_args, search, page=, page_size=)`. htmx
    asking for the table (`page.target`) gets only the table, the page's `list-table` partial."""
    user = request.user
    context.update(
        page=page,
        can_create=bool(page.create_permission) and user.has_perm(page.create_permission),
        actions=any(user.has_perm(permission) for permission in page.actions),
    )
    form = ListForm(request.GET)
    if not form.is_valid():
        context.update(form=form, result=None)
        return render(request, template, context, status=HTTPStatus.BAD_REQUEST)
    data = form.cleaned_data
    result = page.query(*query_args, data["search"], page=data["page"], page_size=data["page_size"])
    context.update(form=form, result=result, count_cap=access_search.COUNT_CAP)
    fragment = "list-table" if is_fragment(request, page.target) else None
    return render_page(request, template, fragment, context)
