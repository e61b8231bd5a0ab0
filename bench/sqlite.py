"""The user table's benchmark on SQLite: `python -m bench.sqlite --users 100000` (`make bench-sqlite`).

SQLite is the embedded default: its keyword search goes through the FTS5 trigram table of
users/sqlite_fts.py. Like bench.users, this loads users with seed_demo until the table holds N
non-staff users (into the database DATABASE_URL names: keep a separate file, e.g.
sqlite:///bench-sqlite.db), then times, in this process, the whole console request
(django.test.Client as a superuser) and users.search.search_users for each kind of search.

Targets (docs/performance.md), judged on the median of the console request: every search
≤ 25 ms up to 100,000 users, ≤ 60 ms at 1,000,000. A missed target prints FAIL; exit status 0.
SQLite runs inside this process, so the CPU time of a request is its time on an idle machine;
the report shows it beside the wall clock, which a busy machine inflates.
"""

import argparse
import os
import statistics
import sys
import time
from urllib.parse import urlencode

from bench.users import BENCH_ADMIN, CONSOLE_URL, Row, phone_fragment, prepare

SMALL_TABLE = 100_000
SMALL_TARGET_MS = 25.0
LARGE_TARGET_MS = 60.0


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.sqlite", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--users", type=int, default=100_000, help="non-staff users to measure at")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per case")
    parser.add_argument("--warmups", type=int, default=2, help="untimed runs before each case")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo's random seed")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args(argv)
    return args


def timed(fn, *, runs: int, warmups: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run."""
    for _ in range(warmups):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        fn()
        wall.append((time.perf_counter_ns() - started) / 1e6)
        cpu.append((time.process_time_ns() - started_cpu) / 1e6)
    return wall, cpu


def row(label, times, target=None, **fields) -> Row:
    wall, cpu = times
    result = Row(label, wall, (target, None) if target is not None else None, **fields)
    result.cpu_median = statistics.median(cpu)
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "sqlite":
        print(
            "bench.sqlite measures SQLite: set DATABASE_URL=sqlite:///bench-sqlite.db",
            file=sys.stderr,
        )
        return 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    print(f"Database: SQLite {version}, {connection.settings_dict['NAME']}")
    prepare(args)
    load_before = os.getloadavg()[0]
    rows = measure(args)
    report(rows, args)
    print(
        f"Load average (1 min) before / after measuring: {load_before:.2f} / {os.getloadavg()[0]:.2f}"
    )
    if args.explain:
        explain(searches())
    return 0


def searches() -> dict[str, str]:
    from users.models import User

    # A real address, the same for a given seed: the first by id.
    email = (
        User.objects.filter(is_staff=False, primary_email__isnull=False)
        .order_by("id")
        .values_list("primary_email", flat=True)
        .first()
    )
    return {
        "common": "smith",
        "very common": "ann",
        "rare": "quackenbush",
        "absent": "nosuchperson",
        "exact email": email or "nobody@example.com",
        "several words": "james smith",
        "several words, one in most rows": "james smith example",
        "short": "li",
        "phone": phone_fragment(),
    }


def measure(args) -> list[Row]:
    from django.test import Client

    from users.models import User
    from users.search import Total, search_users

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=BENCH_ADMIN))
    users = User.objects.filter(is_staff=False).count()
    target = SMALL_TARGET_MS if users <= SMALL_TABLE else LARGE_TARGET_MS

    def get(query=""):
        url = CONSOLE_URL + query

        def run():
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")

        return run

    runs = {"runs": args.runs, "warmups": args.warmups}
    rows = [
        row("console: first page", timed(get(), **runs), target),
        row("console: page 500 (20 a page)", timed(get("?page=500&page_size=20"), **runs)),
    ]
    for kind, search in searches().items():
        page = search_users(search)
        hits = f"{page.total:,}{'+' if page.total_kind == Total.AT_LEAST else ''}"
        quoted = f'"{search}"'
        rows.append(
            row(
                f"console: search {quoted} ({kind})",
                timed(get("?" + urlencode({"search": search})), **runs),
                target,
                hits=hits,
            )
        )
        rows.append(
            row(
                f"search_users({quoted})",
                timed(lambda s=search: search_users(s), **runs),
                hits=hits,
            )
        )
    return rows


def report(rows: list[Row], args):
    from users.models import User

    total = User.objects.filter(is_staff=False).count()
    print(f"\n{total:,} users · ms over {args.runs} runs after {args.warmups} warm-ups")
    header = (
        f"{'case':<58} {'hits':>7} {'median':>8} {'p95':>8} {'cpu med':>8}  {'target':<16} result"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        target = f"median {r.target_text} ms" if r.target is not None else ""
        print(
            f"{r.label[:58]:<58} {r.hits:>7} {r.median:>8.2f} {r.p95:>8.2f} {r.cpu_median:>8.2f}"
            f"  {target:<16} {r.verdict}"
        )
    failed = [r.label for r in rows if r.verdict == "FAIL"]
    print("\n" + ("\n".join(f"FAIL: {label}" for label in failed) or "All targets met."))


def explain(cases: dict[str, str]):
    """EXPLAIN QUERY PLAN of every query search_users runs for the benchmark's searches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from users.search import search_users

    for search in cases.values():
        with CaptureQueriesContext(connection) as captured:
            search_users(search)
        for query in captured.captured_queries:
            print(f"\n-- search_users({search!r}) {query['time']} s:\n{query['sql']}")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                print("\n".join(f"   {row[3]}" for row in cursor.fetchall()))


if __name__ == "__main__":
    sys.exit(main())
