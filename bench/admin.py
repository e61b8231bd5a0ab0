"""Django admin's stock changelist over the same people: `python -m bench.admin` (`make bench-admin`).

Copies the seeded non-staff users of the Gatehouse benchmark database (--source, default
BENCH_DATABASE_URL) into `auth_user` of its own database (bench/admin_settings.py; first run only),
then times whole GET requests to /admin/auth/user/ as a signed-in superuser (django.test.Client,
DEBUG off): first page, page 2, and the searches of `python -m bench.users`. With --trgm the same
run is repeated after pg_trgm GIN indexes on its search columns (the best a team does by hand).

If bench.users wrote its figures (--json, `make bench` does), speed-ups are printed: Gatehouse's
console request over the admin's for the same case (targets: 50x searches, 25x pages, 5x trgm).
"""

import argparse
import json
import os
import statistics
import sys
import time

SEARCH_RATIO, PAGE_RATIO, TRGM_RATIO = 50.0, 25.0, 5.0
COLUMNS = ("username", "first_name", "last_name", "email")  # UserAdmin.search_fields


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.admin", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--source", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gatehouse", default="bench-users.json", help="bench.users --json output")
    parser.add_argument("--trgm", action="store_true", help="also measure with pg_trgm indexes")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.admin_settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    copy_users(args.source)
    ours = {}
    if os.path.exists(args.gatehouse):
        with open(args.gatehouse) as file:
            ours = json.load(file)
    cases = admin_cases(ours)
    load = os.getloadavg()[0]
    drop_trgm()
    stock = measure(cases, args.runs)
    report("stock admin", stock, ours, {"search": SEARCH_RATIO, "page": PAGE_RATIO})
    if args.trgm:
        create_trgm()
        report("admin + pg_trgm", measure(cases, args.runs), ours, {"search": TRGM_RATIO})
    print(f"Load average (1 min) before / after: {load:.2f} / {os.getloadavg()[0]:.2f}")
    return 0


def copy_users(source: str):
    """auth_user gets one row per seeded non-staff user (first run only), streamed with COPY."""
    import psycopg
    from django.contrib.auth.models import User
    from django.db import connection

    if User.objects.filter(is_staff=False).exists():
        return
    if not source:
        raise SystemExit("Give --source (the Gatehouse benchmark database) for the first run")
    started = time.perf_counter()
    select = (
        "COPY (SELECT coalesce(username, 'u_' || id), '!', split_part(name, ' ', 1),"
        " left(substr(name, length(split_part(name, ' ', 1)) + 2), 150), coalesce(primary_email, ''),"
        " false, false, true, created_at FROM users_user WHERE NOT is_staff) TO STDOUT"
    )
    into = (
        "COPY auth_user (username, password, first_name, last_name, email, is_superuser,"
        " is_staff, is_active, date_joined) FROM STDIN"
    )
    connection.ensure_connection()
    with (
        psycopg.connect(source.replace("postgres://", "postgresql://")) as src,
        src.cursor().copy(select) as reader,
        connection.cursor() as cursor,
        cursor.cursor.copy(into) as writer,
    ):
        for block in reader:
            writer.write(block)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) auth_user")
    print(f"Copied {User.objects.count():,} users in {time.perf_counter() - started:.1f} s")


def admin_cases(ours: dict) -> dict:
    searches = ours.get("searches") or ["smith", "ann", "quackenbush", "nosuchperson", "li"]
    cases = {"first page": "", "next page": "?p=2"}
    for search in searches:
        cases[f"search {search!r}"] = "?" + __import__("urllib.parse").parse.urlencode(
            {"q": search}
        )
    return cases


def measure(cases: dict, runs: int) -> dict:
    from django.contrib.auth.models import User
    from django.test import Client

    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(admin)
    figures = {}
    for label, query in cases.items():
        times = []
        for run in range(runs + 1):
            started = time.perf_counter()
            response = client.get("/admin/auth/user/" + query)
            if response.status_code != 200:
                raise SystemExit(f"admin {query} answered {response.status_code}")
            if run:  # the first is a warm-up
                times.append((time.perf_counter() - started) * 1000)
        figures[label] = statistics.median(times)
        print(f"  {label:<48} {figures[label]:9.1f} ms", flush=True)
    return figures


def report(title: str, theirs: dict, ours: dict, ratios: dict):
    print(f"\n{title}: median ms (Gatehouse console median, speed-up, target)")
    for label, their_ms in theirs.items():
        our_ms = (ours.get("console") or {}).get(label)
        if our_ms is None:
            print(f"  {label:<48} {their_ms:9.1f}")
            continue
        kind = "search" if label.startswith("search") else "page"
        target = ratios.get(kind)
        ratio = their_ms / our_ms
        verdict = "" if target is None else ("PASS" if ratio >= target else "FAIL")
        goal = f"≥ {target:g}×" if target else ""
        print(f"  {label:<48} {their_ms:9.1f} {our_ms:8.2f} {ratio:7.0f}× {goal:>6} {verdict}")


def _trgm_statements(create: bool) -> list[str]:
    if not create:
        return [f"DROP INDEX IF EXISTS bench_trgm_{c}" for c in COLUMNS]
    return ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
        f"CREATE INDEX IF NOT EXISTS bench_trgm_{c} ON auth_user USING gin (upper({c}) gin_trgm_ops)"
        for c in COLUMNS
    ]


def create_trgm():
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for statement in _trgm_statements(True):
            cursor.execute(statement)
        cursor.execute("ANALYZE auth_user")
    print(f"\npg_trgm indexes on {', '.join(COLUMNS)}: {time.perf_counter() - started:.1f} s")


def drop_trgm():
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in _trgm_statements(False):
            cursor.execute(statement)


if __name__ == "__main__":
    sys.exit(main())
