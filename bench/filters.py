"""Time the user table's facets and sort (users/filters.py) as whole requests.

    DATABASE_URL=postgres://... python -m bench.filters [--runs 20]

Uses the users already in the database (seed them with `manage.py seed_demo --users N --seed 1`);
signs in as bench.users' admin (made on first use) and times GET /console/users and GET /api/users
with facets, a facet and a keyword, and sorts; prints median / p95 ms and the rows' totals.
"""

import argparse
import os
import statistics
import sys
from urllib.parse import urlencode

PAGE_TARGET = (30.0, 60.0)  # issue 14: a facet or two with a keyword, first page + total
SORT_TARGET = (30.0, None)  # issue 14: sorted by last sign-in


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.filters")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument(
        "--no-analyze", action="store_true", help="leave the statistics as they are (shared data)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.users import API_URL, BENCH_ADMIN, CONSOLE_URL, Row, _api_token, next_link, timed
    from users.models import Membership, Organization, Role, User, UserRole

    if connection.vendor != "postgresql":
        print("bench.filters measures PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    if not User.objects.filter(username=BENCH_ADMIN).exists():
        admin = User(username=BENCH_ADMIN, is_staff=True, is_superuser=True, name="Benchmark")
        admin.set_unusable_password()
        admin.save()
    if not args.no_analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE users_user")
    users = User.objects.filter(is_staff=False).count()
    org = (
        Organization.objects.order_by("-id")
        .filter(pk__in=Membership.objects.values("organization_id")[:1])
        .first()
    )
    role = Role.objects.filter(pk__in=UserRole.objects.values("role_id")[:1]).first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=BENCH_ADMIN))
    api_headers = {"Authorization": f"Bearer {_api_token()}"}

    def get(path, params, headers=None):
        url = path + "?" + (params if isinstance(params, str) else urlencode(params))

        def run():
            response = client.get(url, secure=True, headers=headers or {})
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
            return response

        return run

    cases = [
        ("no facets (the table as before)", {}, None),
        ("smith, no facets (as before)", {"search": "smith"}, None),
        ("status=suspended", {"status": "suspended"}, PAGE_TARGET),
        ("inactive 90 days", {"inactive_days": 90}, PAGE_TARGET),
        ("never signed in", {"never_signed_in": "yes"}, PAGE_TARGET),
        ("has password = no", {"password": "no"}, PAGE_TARGET),
        ("custom data key exists", {"data": "plan"}, PAGE_TARGET),
        ("created in a month", {"created_from": "2025-01-01", "created_to": "2025-01-31"}, None),
        ("smith + status=active", {"search": "smith", "status": "active"}, PAGE_TARGET),
        ("smith + inactive 90 days", {"search": "smith", "inactive_days": 90}, PAGE_TARGET),
        (
            "smith + suspended + never signed in",
            {"search": "smith", "status": "suspended", "never_signed_in": "yes"},
            PAGE_TARGET,
        ),
        ("james smith + has password", {"search": "james smith", "password": "yes"}, PAGE_TARGET),
        ("sort -last_sign_in", {"sort": "-last_sign_in"}, SORT_TARGET),
        ("sort last_sign_in", {"sort": "last_sign_in"}, None),
        ("sort name", {"sort": "name"}, None),
        ("suspended, sort -last_sign_in", {"status": "suspended", "sort": "-last_sign_in"}, None),
        ("smith, sort -last_sign_in", {"search": "smith", "sort": "-last_sign_in"}, None),
    ]
    if org is not None:
        cases.append(("organization", {"organization": org.pk}, PAGE_TARGET))
        cases.append(("smith + organization", {"search": "smith", "organization": org.pk}, None))
    if role is not None:
        cases.append(("role", {"role": role.pk}, PAGE_TARGET))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'user_email_sort'")
        email_index = cursor.fetchone() is not None
    rows = []
    fragment = {"HX-Request": "true", "HX-Target": "user-table"}
    # Keyset pages: the "Next" link of page 1, then of that page (pages 2 and 3).
    for label, params in (
        ("newest first", {}),
        ("sort -last_sign_in", {"sort": "-last_sign_in"}),
        ("sort name", {"sort": "name"}),
        *([("sort email", {"sort": "email"})] if email_index else []),
        ("status=suspended", {"status": "suspended"}),
        ("inactive 90 days, sort last_sign_in", {"inactive_days": 90, "sort": "last_sign_in"}),
    ):
        second = next_link(client, "?" + urlencode(params), fragment)
        third = next_link(client, second, fragment)
        cases.append((f"{label}, page 3 by keyset link", third[1:], PAGE_TARGET))
    if email_index:
        cases.append(("sort email", {"sort": "email"}, None))
        cases.append(("sort -email", {"sort": "-email"}, None))
    else:
        print("No email sort index (migration 0012 not applied here): email sorts not measured.")
    for label, params, target in cases:
        cpu = []
        times = timed(
            get(CONSOLE_URL, params, fragment), runs=args.runs, warmups=args.warmups, cpu=cpu
        )
        rows.append(Row(f"console fragment: {label}", times, target))
        rows[-1].note = f"{statistics.median(cpu):.1f}"
    api_cases = [
        ("status=suspended + %smith%", {"status": "suspended", "search": "%smith%"}, PAGE_TARGET),
        ("sort=-lastSignInAt", {"sort": "-lastSignInAt"}, SORT_TARGET),
    ]
    for label, params, target in api_cases:
        times = timed(get(API_URL, params, api_headers), runs=args.runs, warmups=args.warmups)
        rows.append(Row(f"API: {label}", times, target))
    print(f"PostgreSQL, {users:,} users; load average {os.getloadavg()[0]:.2f}")
    print(f"{'case':58} {'median':>8} {'p95':>8} {'CPU':>6}  target")
    for row in rows:
        print(
            f"{row.label:58} {row.median:8.1f} {row.p95:8.1f} {row.note:>6}  "
            f"{row.target_text} {row.verdict}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
