"""A viewer sees no write control anywhere: every console page, rendered as a viewer, has no
POST form (but sign-out), no hx-post, no editable field or submit button outside a search form,
and no link to a page that changes something (new, edit, delete, remove, ...). The views refuse
viewers too (403, tested with each view); this is about not offering what would be refused."""

from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from audit.recorder import Origin
from tests.access.factories import (
    MembershipFactory,
    OrganizationFactory,
    OrganizationRoleFactory,
    RoleFactory,
    ScopeFactory,
    UserRoleFactory,
)
from tests.audit.factories import LogFactory
from tests.factories import ApplicationFactory, EditorFactory, UserFactory
from users import bulk, services
from users.models import Identity, MfaFactor, User

pytestmark = pytest.mark.django_db

# Every named console route is one of these; a new route must be added to one (the last test).
WRITE_ROUTES = {
    "users:new",
    "users:identifiers",
    "users:profile",
    "users:reset-password",
    "users:suspend",
    "users:reactivate",
    "users:delete",
    "users:identity-remove",
    "users:mfa-remove",
    "users:token-new",
    "users:token-rename",
    "users:token-delete",
    "users:roles-assign",
    "users:role-remove",
    "users:organization-add",
    "users:organization-roles",
    "users:organization-remove",
    "access:role-new",
    "access:role-edit",
    "access:role-delete",
    "access:api-resource-new",
    "access:api-resource-edit",
    "access:api-resource-delete",
    "access:scope-new",
    "access:scope-edit",
    "access:scope-delete",
    "access:organization-new",
    "access:organization-edit",
    "access:organization-delete",
    "access:organization-role-new",
    "access:organization-role-edit",
    "access:organization-role-delete",
    "access:application-new",
    "access:application-edit",
    "access:application-delete",
    "access:application-rotate-secret",
    "access:application-roles-assign",
    "access:application-role-remove",
    "users:sessions-revoke-all",
    "users:session-revoke",
    "users:lock-down",
    "members:new",
    "members:grant",
    "members:role",
    "members:remove",
    "users:export",  # a bulk copy of personal data, audited: for those who may change users
    "users:import",
    "users:import-job-cancel",
    "jobs:bulk",
    "jobs:cancel",
}
NOT_FOR_VIEWERS = {"members:list"}  # 403 for every non-admin: tests/console/test_members_access.py
NOT_FOR_VIEWERS |= {"users:import-job"}  # importers only: tests/users/test_import_job.py
NOT_PAGES = {"home", "health", "readiness", "console:sign-in", "console:sign-out"}
NOT_PAGES |= {
    "signin:sign-in",
    "signin:signed-in",
    "signin:sign-in-mfa",
    "signin:consent",
}  # the end users' pages, not the console's


@pytest.fixture
def world(admin_user):
    """One of everything, so every list has a row and every detail page exists."""
    system = Origin.system("test")
    subject = UserFactory(name="Sam Subject", password="subjects-own-pw-1")
    Identity.objects.create(user=subject, target="github", external_user_id="42")
    MfaFactor.objects.create(user=subject, type="Totp")
    token = services.create_personal_access_token(subject, origin=system, name="ci")
    scope = ScopeFactory()
    role = RoleFactory(scopes=[scope])
    UserRoleFactory(user=subject, role=role)
    organization = OrganizationFactory()
    MembershipFactory(
        user=subject, organization=organization, roles=[OrganizationRoleFactory(scopes=[scope])]
    )
    application = ApplicationFactory()
    log = LogFactory(user=subject)
    job = bulk.create_job(
        action="suspend",
        users=User.objects.filter(pk=subject.pk),
        origin=Origin("Console", actor=admin_user),
        selection={"ids": [subject.pk]},
    )
    return {
        "users:list": "/console/users",
        "users:detail": f"/console/users/{subject.pk}",
        "users:roles": f"/console/users/{subject.pk}/roles",
        "users:permissions": f"/console/users/{subject.pk}/roles/permissions",
        "users:organizations": f"/console/users/{subject.pk}/organizations",
        "users:logs": f"/console/users/{subject.pk}/logs",
        "users:sessions": f"/console/users/{subject.pk}/sessions",
        "users:log": f"/console/users/{subject.pk}/logs/{log.pk}",
        "access:roles": "/console/roles",
        "access:role-detail": f"/console/roles/{role.pk}",
        "access:api-resources": "/console/api-resources",
        "access:api-resource-detail": f"/console/api-resources/{scope.resource.pk}",
        "access:organizations": "/console/organizations",
        "access:organization-detail": f"/console/organizations/{organization.pk}",
        "access:organization-roles": "/console/organization-roles",
        "access:applications": "/console/applications",
        "access:application-detail": f"/console/applications/{application.pk}",
        "audit:list": "/console/audit-logs",
        "audit:detail": f"/console/audit-logs/{log.pk}",
        "jobs:list": "/console/jobs",
        "jobs:detail": f"/console/jobs/{job.pk}",
        "_token": token,
    }


class WriteControls(HTMLParser):
    """Collects what in a page would change something."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.forms: list[str] = []  # "get", "post" or "sign-out", innermost last

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        in_get_form = bool(self.forms) and self.forms[-1] in ("get", "sign-out")
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            signs_out = attrs.get("action") == "/console/sign-out"
            self.forms.append("sign-out" if signs_out else method)
            if method == "post" and not signs_out:
                self.found.append(f"POST form to {attrs.get('action')}")
        for name in ("hx-post", "hx-put", "hx-patch", "hx-delete"):
            if name in attrs:
                self.found.append(f"<{tag} {name}={attrs[name]}>")
        for name in ("href", "hx-get", "action"):
            if (route := _route(attrs.get(name))) in WRITE_ROUTES:
                self.found.append(f"<{tag} {name}={attrs[name]}> ({route})")
        if tag == "button" and attrs.get("type", "submit") != "button" and not in_get_form:
            self.found.append(f"submit button outside a search form: {attrs}")
        editable = tag in ("textarea", "select") or (
            tag == "input" and attrs.get("type") not in ("hidden", "search")
        )
        if editable and not in_get_form:
            self.found.append(f"editable <{tag} name={attrs.get('name')}>")

    def handle_endtag(self, tag):
        if tag == "form" and self.forms:
            self.forms.pop()


def _route(url) -> str | None:
    if not url or url.startswith(("#", "data:", "mailto:")):
        return None
    parts = urlsplit(url)
    if parts.netloc:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.view_name


def write_controls(body: str) -> list[str]:
    parser = WriteControls()
    parser.feed(body)
    return parser.found


def console_routes() -> set[str]:
    """Named routes of the console (and the site root): the API and the OIDC endpoints are not pages."""
    names = set()

    def walk(patterns, namespace="", prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns, route)
            elif isinstance(p, URLPattern) and p.name and not route.startswith(("api", "oidc")):
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


def test_a_viewer_sees_no_write_control_on_any_console_page(viewer_client, world):
    seen = {}
    for route, url in world.items():
        if route.startswith("_"):
            continue
        response = viewer_client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        seen[url] = write_controls(response.content.decode())
    assert {url: found for url, found in seen.items() if found} == {}


def test_the_same_pages_do_offer_write_controls_to_an_admin(admin_client, world):
    """The check above can fail: as an admin, pages with actions show them."""
    for route in ("users:list", "users:detail", "users:roles", "access:role-detail"):
        body = admin_client.get(world[route]).content.decode()
        assert write_controls(body), route


def test_an_editor_may_change_users_but_sees_no_role_or_application_controls(client, world):
    client.force_login(EditorFactory())
    assert write_controls(client.get(world["users:detail"]).content.decode())
    for route in ("access:roles", "access:role-detail", "access:applications"):
        body = client.get(world[route]).content.decode()
        assert write_controls(body) == [], route


def test_every_console_route_is_checked_or_known_to_change_something(world):
    pages = {route for route in world if not route.startswith("_")}
    unknown = console_routes() - pages - WRITE_ROUTES - NOT_FOR_VIEWERS - NOT_PAGES
    assert unknown == set(), "add the new route to the viewer sweep or to WRITE_ROUTES"
