"""manage.py seed_access: demo API resources, permissions, roles, organizations, organization roles
and applications, with the existing (non-staff) users spread over them.

The entities are made through the users.access verbs (validated and audited, as an admin would);
each is skipped if it exists, so the command can run again. Users are spread with one
INSERT ... SELECT per role or organization, on PostgreSQL and SQLite alike: every user gets
"Customer" (so with a million users that role has a million), every N-th user (in id order, which
is random) gets one of the others, about a quarter join an organization. Running it again only
adds what is missing (NOT EXISTS, and ON CONFLICT DO NOTHING for a concurrent writer), e.g. for
users added since. A million users take about 100 s on PostgreSQL (a 2-core machine).
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from audit.recorder import Origin
from users.access.applications import create_application
from users.access.organizations import create_organization, create_organization_role
from users.access.resources import create_resource, create_scope
from users.access.roles import create_role
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

RESOURCES = {
    ("Acme Store API", "https://api.acme.example/store"): {
        "read:orders": "See orders",
        "write:orders": "Create and change orders",
        "refund:orders": "Refund orders",
        "read:products": "See the catalogue",
        "write:products": "Change the catalogue",
    },
    ("Acme Analytics API", "https://api.acme.example/analytics"): {
        "read:reports": "See reports",
        "export:reports": "Export reports",
    },
    ("Acme Support API", "https://support.acme.example/api"): {
        "read:tickets": "See support tickets",
        "write:tickets": "Answer support tickets",
        "assign:tickets": "Assign tickets to agents",
    },
}
# name: (description, type, permissions, every N-th user gets it (0: nobody), offset)
ROLES = {
    "Customer": ("Shops in the store", "User", ["read:orders", "read:products"], 1, 0),
    "Store manager": (
        "Runs the catalogue and orders",
        "User",
        ["read:orders", "write:orders", "read:products", "write:products"],
        50,
        1,
    ),
    "Support agent": (
        "Answers tickets",
        "User",
        ["read:tickets", "write:tickets", "read:orders"],
        40,
        2,
    ),
    "Support lead": (
        "Leads the support team",
        "User",
        ["read:tickets", "write:tickets", "assign:tickets", "read:orders", "refund:orders"],
        400,
        3,
    ),
    "Analyst": ("Reads the numbers", "User", ["read:reports", "export:reports"], 100, 4),
    "Finance": ("Refunds and reports", "User", ["refund:orders", "read:reports"], 200, 5),
    "Reporting robot": (
        "The nightly export job",
        "MachineToMachine",
        ["read:reports", "export:reports"],
        0,
        0,
    ),
}
ORGANIZATION_ROLES = {
    "Owner": (
        "Owns the organization",
        ["read:orders", "write:orders", "refund:orders", "read:reports"],
    ),
    "Admin": ("Manages members and orders", ["read:orders", "write:orders", "read:reports"]),
    "Member": ("Orders on the organization's account", ["read:orders"]),
}
ORGANIZATIONS = {
    "Acme Retail": ("Our own shops", {"plan": "enterprise", "region": "eu"}),
    "Globex": ("Wholesale customer", {"plan": "business", "region": "us"}),
    "Initech": ("Wholesale customer", {"plan": "business", "region": "us"}),
    "Umbrella": ("Pharmacy chain", {"plan": "enterprise", "region": "apac"}),
    "Hooli": ("Reseller", {"plan": "starter", "region": "us"}),
    "Soylent": ("Reseller", {"plan": "starter", "region": "eu"}),
}
MEMBERSHIP_EVERY = 24  # each organization takes every 24th user: a quarter of users are in one
ADMIN_EVERY = 10  # every 10th member is an Admin; the first is the Owner
APPLICATIONS = {
    "Acme Store": (
        "SPA",
        "The shop front (single-page app).",
        "https://shop.acme.example/callback",
    ),
    "Support desk": ("Traditional", "The agents' web app.", "https://support.acme.example/oidc/cb"),
    "Nightly export": ("MachineToMachine", "Exports reports every night.", ""),
}


class Command(BaseCommand):
    help = (
        "Demo roles, permissions, organizations and applications; spreads existing users over them."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        origin = Origin.system("seed_access")
        scopes = self._resources(origin)
        roles = self._roles(origin, scopes)
        organization_roles = self._organization_roles(origin, scopes)
        organizations = self._organizations(origin)
        self._applications(origin)

        assigned = sum(
            self._spread_role(roles[name], every, offset)
            for name, (_, kind, _, every, offset) in ROLES.items()
            if every and kind == Role.Type.USER
        )
        joined = held = 0
        for index, organization in enumerate(organizations):
            joined += self._spread_organization(organization, offset=index)
            held += self._give_organization_roles(organization, organization_roles)
        if connection.vendor == "postgresql":
            _analyze()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Access seeded in {elapsed:.1f} s: {ApiResource.objects.count()} API resources, "
            f"{Scope.objects.count()} permissions, {Role.objects.count()} roles, "
            f"{Organization.objects.count()} organizations, {Application.objects.count()} "
            f"applications; added {assigned:,} user roles, {joined:,} memberships and "
            f"{held:,} organization roles held."
        )

    def _resources(self, origin) -> dict[str, Scope]:
        scopes = {}
        for (name, indicator), permissions in RESOURCES.items():
            resource = ApiResource.objects.filter(indicator=indicator).first()
            if resource is None:
                resource = create_resource(origin=origin, name=name, indicator=indicator)
            for scope_name, description in permissions.items():
                scope = Scope.objects.filter(resource=resource, name=scope_name).first()
                if scope is None:
                    scope = create_scope(
                        resource, origin=origin, name=scope_name, description=description
                    )
                scopes[scope_name] = scope
        return scopes

    def _roles(self, origin, scopes) -> dict[str, Role]:
        roles = {}
        for name, (description, kind, permissions, _, _) in ROLES.items():
            role = Role.objects.filter(name__iexact=name).first()
            if role is None:
                role = create_role(
                    origin=origin,
                    name=name,
                    description=description,
                    type=kind,
                    scopes=[scopes[p] for p in permissions],
                )
            roles[name] = role
        return roles

    def _organization_roles(self, origin, scopes) -> dict[str, OrganizationRole]:
        roles = {}
        for name, (description, permissions) in ORGANIZATION_ROLES.items():
            role = OrganizationRole.objects.filter(name__iexact=name).first()
            if role is None:
                role = create_organization_role(
                    origin=origin,
                    name=name,
                    description=description,
                    scopes=[scopes[p] for p in permissions],
                )
            roles[name] = role
        return roles

    def _organizations(self, origin) -> list[Organization]:
        organizations = []
        for name, (description, custom_data) in ORGANIZATIONS.items():
            organization = Organization.objects.filter(name=name).first()
            if organization is None:
                organization = create_organization(
                    origin=origin, name=name, description=description, custom_data=custom_data
                )
            organizations.append(organization)
        return organizations

    def _applications(self, origin):
        for name, (kind, description, redirect_uri) in APPLICATIONS.items():
            if not Application.objects.filter(name=name).exists():
                create_application(
                    origin=origin,
                    name=name,
                    type=kind,
                    description=description,
                    redirect_uris=redirect_uri,
                )

    def _spread_role(self, role: Role, every: int, offset: int) -> int:
        """Give `role` to every `every`-th non-staff user; returns how many rows were added."""
        return _execute(
            f"""
            INSERT INTO {_table(UserRole)} (id, user_id, role_id, created_at)
            SELECT {_new_id("u.id")}, u.id, %s, %s
            FROM ({_numbered_users()}) u
            WHERE u.n %% %s = %s
            AND NOT EXISTS (
                SELECT 1 FROM {_table(UserRole)} x WHERE x.user_id = u.id AND x.role_id = %s
            )
            ON CONFLICT DO NOTHING
            """,
            [role.pk, timezone.now(), every, offset % every, role.pk],
        )

    def _spread_organization(self, organization: Organization, *, offset: int) -> int:
        return _execute(
            f"""
            INSERT INTO {_table(Membership)} (id, user_id, organization_id, created_at)
            SELECT {_new_id("u.id")}, u.id, %s, %s
            FROM ({_numbered_users()}) u
            WHERE u.n %% %s = %s
            AND NOT EXISTS (
                SELECT 1 FROM {_table(Membership)} x
                WHERE x.user_id = u.id AND x.organization_id = %s
            )
            ON CONFLICT DO NOTHING
            """,
            [
                organization.pk,
                timezone.now(),
                MEMBERSHIP_EVERY,
                offset % MEMBERSHIP_EVERY,
                organization.pk,
            ],
        )

    def _give_organization_roles(self, organization, roles) -> int:
        """Every member holds Member; every ADMIN_EVERY-th also Admin; the first is Owner."""
        through = _table(Membership.roles.through)
        added = 0
        for role, condition in (
            (roles["Member"], "TRUE"),
            (roles["Admin"], f"m.n %% {ADMIN_EVERY} = 1"),
            (roles["Owner"], "m.n = 1"),
        ):
            added += _execute(
                f"""
                INSERT INTO {through} (membership_id, organizationrole_id)
                SELECT m.id, %s
                FROM (
                    SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n
                    FROM {_table(Membership)} WHERE organization_id = %s
                ) m
                WHERE {condition} AND NOT EXISTS (
                    SELECT 1 FROM {through} x
                    WHERE x.membership_id = m.id AND x.organizationrole_id = %s
                )
                ON CONFLICT DO NOTHING
                """,
                [role.pk, organization.pk, role.pk],
            )
        return added


def _analyze():
    """Fresh statistics and visibility map after a bulk load: the per-role user counts ("up to
    1,000") are index-only scans only when the planner knows how the rows are spread."""
    with connection.cursor() as cursor:
        for model in (UserRole, Membership, Membership.roles.through):
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {_table(model)}")
            else:
                cursor.execute(f"VACUUM (ANALYZE) {_table(model)}")
        for model in (Role, Organization, OrganizationRole, Scope, Role.scopes.through):
            cursor.execute(f"ANALYZE {_table(model)}")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _numbered_users() -> str:
    # Ids are random, so id order is a shuffled order that stays the same between runs.
    return f"SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM {_table(User)} WHERE NOT is_staff"


def _new_id(salt: str) -> str:
    """SQL for a 21-character lowercase id (hex digits: a subset of our id alphabet)."""
    if connection.vendor == "postgresql":
        return f"substr(md5(random()::text || {salt}), 1, 21)"
    return "lower(substr(hex(randomblob(11)), 1, 21))"


def _execute(sql: str, params) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
