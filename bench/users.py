"""The user table's benchmark: `python -m bench.users --users 1000000` (`make bench`).

Loads users with seed_demo until the table holds N non-staff users (existing ones are reused),
then times, in this process and against the configured database:
- the console's user table (a full request through django.test.Client as a superuser): page 1,
  a deep page, and keyword searches with their total;
- the same searches through users.search.search_users, the function behind it;
- the same searches done the way Django admin does them: an OR of `icontains` over name, id,
  username, email and phone, then COUNT(*) and the newest 20 rows;
- the same searches through the Management API (`GET /api/users?search=%words%` with a bearer
  token, a full request through django.test.Client like the console's): median <= 25 ms and
  within 1.5x the console's table request for the same words.

Times are milliseconds of server time (median and p95 of --runs, after --warmups). The targets
come from docs/performance.md; a missed target prints FAIL but the exit status stays 0.
"""

import argparse
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlencode

# Issue 11's targets: (median, p95) in ms; None = no p95 target.
PAGE_TARGET = (10.0, 15.0)  # table first page, fragment, next page
SEARCH_TARGET = (20.0, 30.0)  # any keyword search with its count
EXACT_TARGET = (5.0, None)  # a whole email, phone, username or id
DEEP_SEARCH_TARGET = (25.0, None)  # search page 2
DETAIL_TARGET = (20.0, None)
LOGS_TARGET = (15.0, None)
SPEEDUP_TARGET = 50.0  # search_users over the admin way, searches
API_SEARCH_TARGET = (25.0, None)  # median; and within API_CONSOLE_RATIO of the console's request
API_CONSOLE_RATIO = 1.5
API_URL = "/api/users"
BENCH_APP = "bench-m2m"
CONSOLE_URL = "/console/users"
BENCH_ADMIN = "bench_admin"


@dataclass
class Row:
    label: str
    times: list[float]
    target: tuple | None = None  # (median, p95 or None) in ms
    hits: str = ""
    note: str = ""
    speedup: float | None = None  # admin-way rows: their median over search_users'
    key: str = ""  # the case's name for bench.admin's comparison (--json)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        median, p95 = self.target
        ok = self.median <= median and (p95 is None or self.p95 <= p95)
        return "PASS" if ok else "FAIL"

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        median, p95 = self.target
        return f"≤ {median:g}" + (f" / {p95:g}" if p95 is not None else "")


def timed(fn, *, runs: int, warmups: int, cpu: list | None = None) -> list[float]:
    """Wall-clock ms of each run; `cpu` (a list) also gets this process's CPU ms of each run,
    the steadier figure on a shared machine (the database server's time is not in it)."""
    for _ in range(warmups):
        fn()
    times = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        fn()
        times.append((time.perf_counter_ns() - started) / 1e6)
        if cpu is not None:
            cpu.append((time.process_time_ns() - started_cpu) / 1e6)
    return times


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.users", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--users", type=int, default=1_000_000, help="non-staff users to measure at"
    )
    parser.add_argument("--runs", type=int, default=20, help="timed runs per case")
    parser.add_argument("--warmups", type=int, default=2, help="untimed runs before each case")
    parser.add_argument(
        "--admin-runs",
        type=int,
        default=5,
        help="timed runs of each admin-way search (each costs seconds at 1 M; 1 warm-up)",
    )
    parser.add_argument("--allow-sqlite", action="store_true", help="measure SQLite anyway")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo's random seed")
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of search_users' queries"
    )
    parser.add_argument("--json", help="write the console's medians here, for bench.admin")
    parser.add_argument(
        "--no-prepare",
        action="store_true",
        help="measure the database as it is: no migrate, no seeding (a shared, read-only one)",
    )
    parser.add_argument(
        "--analyze-rounds",
        type=int,
        default=5,
        help="re-ANALYZE users_user this many times; after each, no search plan may scan it",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.db import DatabaseError, connection

    settings_db = connection.settings_dict
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        print(f"Cannot connect to the database: {error}".strip(), file=sys.stderr)
        print(
            "Create it first, e.g. createdb -h 127.0.0.1 -U postgres gatehouse_bench",
            file=sys.stderr,
        )
        return 2
    print(
        f"Database: {connection.vendor} {settings_db.get('NAME')} on {settings_db.get('HOST') or '-'}"
    )
    if connection.vendor == "sqlite" and not args.allow_sqlite:
        print(
            "Refusing to benchmark SQLite: the figures that matter are PostgreSQL's.\n"
            "Point DATABASE_URL at a scratch database, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres gatehouse_bench\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gatehouse_bench make bench\n"
            "or pass --allow-sqlite to measure SQLite anyway.",
            file=sys.stderr,
        )
        return 2

    if not args.no_prepare:
        prepare(args)
    flips = check_plans(args.analyze_rounds) if connection.vendor == "postgresql" else []
    load_before = os.getloadavg()[0]
    rows = measure(args)
    report(rows, args)
    for flip in flips:
        print(f"FAIL: plan scans users_user sequentially: {flip}")
    if args.json:
        import json

        keyed = {row.key: row.median for row in rows if row.key}
        searches = [key.removeprefix("search ")[1:-1] for key in keyed if key.startswith("search")]
        with open(args.json, "w") as file:
            json.dump({"console": keyed, "searches": searches}, file, indent=1)
    # A shared machine skews wall-clock figures: say how busy it was.
    print(
        f"Load average (1 min) before / after measuring: {load_before:.2f} / {os.getloadavg()[0]:.2f}"
    )
    if args.explain:
        explain()
    return 0


def prepare(args):
    """Migrate, top the table up to --users non-staff users, and make the bench's admin."""
    from django.core.management import call_command

    from users.models import User

    call_command("migrate", interactive=False, verbosity=0)
    have = User.objects.filter(is_staff=False).count()
    if have < args.users:
        print(f"Seeding {args.users - have:,} users (the table holds {have:,})...", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", users=args.users - have, seed=args.seed, skip_access=True)
        print(f"Load time: {time.perf_counter() - started:.1f} s", flush=True)
    elif have > args.users:
        print(f"The table holds {have:,} non-staff users (more than --users): measuring at that.")
    else:
        print(f"Reusing the {have:,} users already loaded.")
    if not User.objects.filter(username=BENCH_ADMIN).exists():
        admin = User(username=BENCH_ADMIN, is_staff=True, is_superuser=True, name="Benchmark")
        admin.set_unusable_password()
        admin.save()


def sample_user():
    """A seeded user with every identifier and some sign-in logs: the exact searches, detail, logs."""
    from audit.models import Log
    from users.models import User

    with_logs = Log.objects.exclude(user=None).values("user")
    return (
        User.objects.filter(is_staff=False, pk__in=with_logs)
        .exclude(primary_email=None)
        .exclude(primary_phone=None)
        .exclude(username=None)
        .order_by("pk")
        .first()
    )


PLAN_SEARCHES = ("smith", "ann", "quackenbush", "nosuchperson", "james smith", "example")


def check_plans(rounds: int) -> list[str]:
    """ANALYZE `rounds` times; after each, explain every query of each search: no Seq Scan."""
    from django.db import connection

    subject = sample_user()
    searches = [*PLAN_SEARCHES, phone_fragment(), subject.primary_email, subject.id]
    flips = []
    for round_ in range(1, rounds + 1):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE users_user")
        shapes = []
        for search in searches:
            plans = plans_of(search)
            scans = sorted(
                {
                    line.strip().lstrip("-> ").split("  (")[0]
                    for p in plans
                    for line in p.splitlines()
                    if " on users_user" in line
                }
            )
            shapes.append(f"  {search!r}: {'; '.join(scans)}")
            if any("Seq Scan on users_user" in p for p in plans):
                flips.append(f"round {round_}: {search!r}")
        print(f"Plans after ANALYZE #{round_} (scans of users_user per search):")
        print("\n".join(shapes), flush=True)
    return flips


def plans_of(search: str, *, analyze=False) -> list[str]:
    """EXPLAIN each query search_users runs, under the planner settings it ran with."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from users.search import search_users, split_planner_settings

    with CaptureQueriesContext(connection) as captured:
        search_users(search)
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            setup, sql, reset = split_planner_settings(query["sql"])
            if sql.startswith(("SELECT set_config(", "RESET ")):
                cursor.execute(sql)
                continue
            if setup:
                cursor.execute(setup)  # the planner settings the query ran under
            cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql)
            plans.append(f"-- {sql}\n" + "\n".join(line for (line,) in cursor.fetchall()))
            if reset:
                cursor.execute(reset)
    return plans


def phone_fragment() -> str:
    """Part of a real UK mobile number as a person types it: "+44 7412 34"."""
    from users.models import User

    phone = (
        User.objects.filter(primary_phone__startswith="4474")
        .order_by("primary_phone")
        .values_list("primary_phone", flat=True)
        .first()
    )
    phone = phone or "447400000000"
    return f"+44 {phone[2:6]} {phone[6:8]}"


def admin_way(search: str):
    """What Django admin's changelist runs for `search_fields` over the five columns."""
    from django.db.models import Q

    from users.models import User
    from users.search import parse_terms

    def run():
        queryset = User.objects.all()
        # Admin matches the raw words; the phone column holds digits without "+".
        for term in [t.lstrip("+") for t in parse_terms(search)]:
            queryset = queryset.filter(
                Q(name__icontains=term)
                | Q(id__icontains=term)
                | Q(username__icontains=term)
                | Q(primary_email__icontains=term)
                | Q(primary_phone__icontains=term)
            )
        total = queryset.count()
        list(queryset.order_by("-created_at", "-id")[:20])
        return total

    return run


def measure(args) -> list[Row]:
    from django.db import connection
    from django.test import Client

    from users.models import User
    from users.search import Total, search_users

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=BENCH_ADMIN))

    def get(query="", path=CONSOLE_URL, **headers):
        url = path + query

        def run():
            response = client.get(url, secure=True, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")

        return run

    api_headers = {"Authorization": f"Bearer {_api_token()}"}

    def api_get(search):
        url = API_URL + "?" + urlencode({"search": f"%{search}%"})

        def run():
            response = client.get(url, headers=api_headers, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")

        return run

    runs = {"runs": args.runs, "warmups": args.warmups}
    subject = sample_user()
    fragment = {"HX-Request": "true", "HX-Target": "user-table"}
    cpus = []

    def cpu_timed(fn):
        cpu = []
        times = timed(fn, cpu=cpu, **runs)
        cpus.append(statistics.median(cpu))
        return times

    rows = [
        Row("console: first page", cpu_timed(get()), PAGE_TARGET, key="first page"),
        Row("console: first page, htmx fragment", cpu_timed(get(**fragment)), PAGE_TARGET),
        Row("console: next page", cpu_timed(get("?page=2")), PAGE_TARGET, key="next page"),
        Row(
            "console: next page by its keyset link",
            cpu_timed(get(next_link(client))),
            PAGE_TARGET,
        ),
        Row("console: page 500 (20 a page)", cpu_timed(get("?page=500&page_size=20"))),
        Row(
            'console: search "smith", page 2',
            cpu_timed(get("?" + urlencode({"search": "smith", "page": 2}))),
            DEEP_SEARCH_TARGET,
        ),
        Row(
            "console: user detail",
            cpu_timed(get(path=f"{CONSOLE_URL}/{subject.id}")),
            DETAIL_TARGET,
        ),
        Row(
            "console: user's logs tab",
            cpu_timed(get(path=f"{CONSOLE_URL}/{subject.id}/logs")),
            LOGS_TARGET,
        ),
        Row("console: audit log", cpu_timed(get(path="/console/audit-logs")), LOGS_TARGET),
    ]
    for row, cpu in zip(rows, cpus, strict=True):
        row.note = f"CPU {cpu:.1f} ms"
    searches = {
        "common": "smith",
        "very common": "ann",
        "rare": "quackenbush",
        "absent": "nosuchperson",
        "short": "li",
        "several words": "james smith",
        "phone": phone_fragment(),
        "exact email": subject.primary_email,
        "exact username": subject.username,
        "exact id": subject.id,
        "exact phone": "+" + subject.primary_phone,
    }
    for kind, search in searches.items():
        target = EXACT_TARGET if kind.startswith("exact") else SEARCH_TARGET
        page = search_users(search)
        hits = f"{page.total:,}{'+' if page.total_kind == Total.AT_LEAST else ''}"
        quoted = f'"{search}"'
        rows.append(
            Row(
                f"console: search {quoted} ({kind})",
                timed(get("?" + urlencode({"search": search})), **runs),
                SEARCH_TARGET,
                hits=hits,
                key=f"search {search!r}",
            )
        )
        ours = Row(
            f"search_users({quoted})",
            timed(lambda s=search: search_users(s), **runs),
            target,
            hits=hits,
        )
        rows.append(ours)
        console_row = rows[-2]
        api_row = Row(
            f"api: search {quoted}",
            timed(api_get(search), **runs),
            hits=hits,
        )
        api_row.note = _api_verdict(api_row, console_row)
        rows.append(api_row)
        if args.admin_runs > 0:
            admin = admin_way(search)
            exact = admin()
            theirs = Row(
                f"admin way {quoted}",
                timed(admin, runs=args.admin_runs, warmups=1),
                hits=f"{exact:,}",
                note=f"{args.admin_runs} runs",
            )
            theirs.speedup = theirs.median / ours.median
            rows.append(theirs)

    # Each real request with DATABASE_CONN_MAX_AGE=0 also opens a connection: show its price.
    def reconnect():
        connection.close()
        connection.ensure_connection()

    rows.append(
        Row("(new database connection)", timed(reconnect, **runs), note="not in the figures above")
    )
    return rows


def next_link(client, query: str = "", headers=None) -> str:
    """The table's "Next" link (a keyset cursor) from the page at `query`."""
    import re
    from html import unescape

    body = client.get(CONSOLE_URL + query, secure=True, headers=headers or {}).content.decode()
    found = re.search(r'<a href="(\?[^"]+)"[^>]*rel="next">', body)
    if found is None:
        raise SystemExit(f"No next link on {CONSOLE_URL}{query}")
    return unescape(found[1])


def _api_token() -> str:
    """A Management API token for the bench's M2M application (made on first use)."""
    from audit.recorder import Origin
    from signin.management import grant_management_access, issue_access_token
    from users.access.applications import create_application
    from users.models import Application

    origin = Origin.system("bench")
    app = Application.objects.filter(name=BENCH_APP).first()
    if app is None:
        app = create_application(
            origin=origin, name=BENCH_APP, type=Application.Type.MACHINE_TO_MACHINE
        )
    grant_management_access(app, origin=origin)
    return issue_access_token(app)[0]


def _api_verdict(api_row: Row, console_row: Row) -> str:
    ratio = api_row.median / console_row.median
    ok = api_row.median <= API_SEARCH_TARGET[0] and ratio <= API_CONSOLE_RATIO
    return (
        f"{'PASS' if ok else 'FAIL'}: median <= {API_SEARCH_TARGET[0]:g} ms, "
        f"{ratio:.2f}x the console (<= {API_CONSOLE_RATIO}x)"
    )


def report(rows: list[Row], args):
    from users.models import User

    total = User.objects.filter(is_staff=False).count()
    print()
    print(
        f"{total:,} users · median / p95 ms over {args.runs} runs after {args.warmups} warm-ups "
        f"(admin way: {args.admin_runs} runs after 1)"
    )
    header = f"{'case':<56} {'hits':>9} {'median':>8} {'p95':>8}  {'target ms':<14} result"
    print(header)
    print("-" * len(header))
    failed = []
    for row in rows:
        line = (
            f"{row.label:<56} {row.hits:>9} {row.median:>8.2f} {row.p95:>8.2f}  "
            f"{row.target_text:<14} {row.verdict}"
        )
        if row.note:
            line += f"  ({row.note})"
        print(line)
        if row.verdict == "FAIL":
            failed.append(row.label)
        if row.speedup is not None:
            ratio = row.speedup
            verdict = "PASS" if ratio >= SPEEDUP_TARGET else "FAIL"
            print(
                f"{'  speed-up of search_users over it':<56} {'':>9} {ratio:>7.0f}× {'':>8}  "
                f"{'≥ ' + format(SPEEDUP_TARGET, 'g') + '×':<14} {verdict}"
            )
            if verdict == "FAIL":
                failed.append(f"speed-up over {row.label}")
    print()
    if failed:
        for label in failed:
            print(f"FAIL: {label}")
    else:
        print("All targets met.")


def explain():
    """EXPLAIN (ANALYZE, BUFFERS) of every query search_users runs for the benchmark's terms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from users.search import search_users, split_planner_settings

    if connection.vendor != "postgresql":
        return
    cases = [("", 1), ("", 500)] + [
        (search, 1) for search in ("smith", "ann", "quackenbush", "nosuchperson", "li")
    ]
    subject = sample_user()
    for search, page in [*cases, (phone_fragment(), 1), (subject.primary_email, 1)]:
        with CaptureQueriesContext(connection) as captured:
            search_users(search, page=page)
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                setup, sql, reset = split_planner_settings(query["sql"])
                if sql.startswith(("SELECT set_config(", "RESET ")):
                    cursor.execute(sql)  # the planner settings the next queries ran under
                    continue
                if setup:
                    cursor.execute(setup)
                print(f"\n-- search_users({search!r}, page={page}):\n{setup}\n{sql}")
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                print("\n".join(line for (line,) in cursor.fetchall()))
                if reset:
                    cursor.execute(reset)


if __name__ == "__main__":
    sys.exit(main())
