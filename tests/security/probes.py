"""The probe kit: hostile inputs, the console's URL patterns (read from the URL resolver, so a new
page or form is probed without touching this suite), a small world of real objects to fill their
ids, the forms the pages render, and a snapshot of every stored row to prove a refusal wrote
nothing."""

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from tests.access.factories import (
    ApiResourceFactory,
    MembershipFactory,
    OrganizationFactory,
    OrganizationRoleFactory,
    RoleFactory,
    ScopeFactory,
    UserRoleFactory,
)
from tests.audit.factories import LogFactory
from tests.factories import ApplicationFactory, UserFactory

XSS = '"><script>alert("xss")</script><img src=x onerror=alert(1)>'
XSS_MARKERS = ("<script>alert(", "<img src=x onerror")

# Values a form field may be sent: NUL and control characters, over-long text, numbers JSON and
# PostgreSQL cannot hold, path traversal, markup.
HOSTILE_VALUES = {
    "nul": "ab\x00cd",
    "control": "a\x01\x1b\x7f\r\n\u2028\u202eb",
    "over-long": "x" * 5_000,
    "nan": "NaN",
    "huge": "-1e999",
    "huge-int": "9" * 400,
    "traversal": "../../../../etc/passwd",
    "xss": XSS,
    "json-nan": '{"a": NaN, "b": [Infinity, 1e999]}',
    "json-nul": '{"a": "\\u0000", "deep": ' + "[" * 100 + "]" * 100 + "}",
}

# Path segments that cannot be an id; each must be a 404 and change nothing.
HOSTILE_IDS = {
    "nul": "%00",
    "nul-inside": "abc%00def",
    "control": "a%01b",
    "non-ascii": "%C3%A9t%C3%A9",
    "over-long": "a" * 300,
    "traversal": "..%2F..%2Fetc%2Fpasswd",
    "dot-dot": "..",
    "xss": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "upper": "ABCDEF",
    "space": "a%20b",
}

# URL patterns with nothing to probe: sign-out only ends the session.
NOT_PROBED = {"console:sign-out"}

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    name: str  # namespaced: "users:detail"
    route: str  # "console/users/<id:user_id>"

    @property
    def params(self) -> list[str]:
        return [m["name"] for m in _PARAM.finditer(self.route)]

    def url(self, values: dict[str, str]) -> str:
        return "/" + _PARAM.sub(lambda m: values[m["name"]], self.route)

    def __str__(self):
        return self.name


def console_routes() -> list[Route]:
    """Every URL pattern under /console/, from the resolver."""
    routes = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = ":".join(filter(None, [namespace, p.name]))
                if route.startswith("console/") and name not in NOT_PROBED:
                    routes.append(Route(name, route))

    walk(get_resolver().url_patterns, "", "")
    assert routes, "no console routes found"
    return routes


@dataclass
class World:
    """One of everything a console URL can point at, tied together so every URL resolves."""

    ids: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls):
        from users import services
        from users.models import Identity, MfaFactor

        subject = UserFactory(username="probe_subject", name="Probe Subject")
        Identity.objects.create(user=subject, target="github", external_user_id="42")
        Identity.objects.create(user=subject, target="google", external_user_id="43")
        factor = MfaFactor.objects.create(user=subject, type="Totp")
        from audit.recorder import Origin

        token = services.create_personal_access_token(
            subject, origin=Origin("Console"), name="probe"
        ).token
        role = RoleFactory(name="Probe role")
        UserRoleFactory(user=subject, role=role)
        resource = ApiResourceFactory()
        scope = ScopeFactory(resource=resource, name="read:probe")
        organization = OrganizationFactory(name="Probe org", custom_data={"plan": "pro"})
        organization_role = OrganizationRoleFactory(name="Probe org role")
        MembershipFactory(user=subject, organization=organization)
        application = ApplicationFactory(name="Probe app")
        log = LogFactory(user=subject)
        identity = subject.identities.get(target="github")
        from django.utils import timezone

        from signin.models import EndUserSession

        session = EndUserSession.objects.create(
            user=subject,
            kind=EndUserSession.Kind.GRANT,
            application=application,
            last_used_at=timezone.now(),
        )
        from users import bulk
        from users.models import User

        job = bulk.create_job(
            action="suspend",
            users=User.objects.filter(pk=subject.pk),
            origin=Origin("Console"),
            selection={"ids": [subject.pk]},
        )
        return cls(
            ids={
                "job_id": job.pk,
                "user_id": subject.pk,
                "identity_id": identity.pk,
                "factor_id": factor.pk,
                "token_id": token.pk,
                "role_id": role.pk,
                "organization_role_id": organization_role.pk,
                "resource_id": resource.pk,
                "scope_id": scope.pk,
                "organization_id": organization.pk,
                "application_id": application.pk,
                "log_id": log.pk,
                "session_id": session.pk,
            }
        )

    def values_for(self, route: Route) -> dict[str, str]:
        values = {}
        for param in route.params:
            key = param
            if param == "role_id" and route.name.startswith("access:organization-role"):
                key = "organization_role_id"
            assert key in self.ids, f"{route.route}: the probe world has no {param}; add one"
            values[param] = self.ids[key]
        return values

    def url(self, route: Route) -> str:
        return route.url(self.values_for(route))


# The session store is bookkeeping, not data: its "last seen" mark is written at most once a minute
# by the middleware, whatever the request did.
NOT_DATA = {"users.UserSession"}


def snapshot(app_labels=("users", "audit")) -> str:
    """A digest of every row of the project's own models: equal digests, nothing written."""
    digest = hashlib.sha256()
    for app_label in app_labels:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label in NOT_DATA:
                continue
            rows = model.objects.order_by("pk").values_list()
            digest.update(f"{model._meta.label}:{list(rows)!r}".encode())
    return digest.hexdigest()


class _FormParser(HTMLParser):
    """The forms of a page: (method, action) -> {field name: [default values]}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            key = ((a.get("method") or "get").lower(), a.get("action") or "")
            self._form = self.forms.setdefault(key, {})
            return
        if self._form is None:
            return
        if tag == "option" and self._select is not None:
            if "selected" in a:
                self._form[self._select].append(a.get("value", ""))
            return
        if not a.get("name"):
            return
        name = a["name"]
        if name == "csrfmiddlewaretoken":
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "file", "image"):
                return
            values = self._form.setdefault(name, [])
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    values.append(a.get("value", "on"))
            else:
                values.append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self._form.setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
            self._form.setdefault(name, [])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea][-1] += data


def page_forms(html: str) -> dict[tuple[str, str], dict[str, list[str]]]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def unescaped(body: str) -> list[str]:
    return [marker for marker in XSS_MARKERS if marker in body]
