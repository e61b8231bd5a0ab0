"""The Logs tab's benchmark: `python -m bench.logs` (`make bench-logs`).

Fills the audit log of the PostgreSQL database `gatehouse_bench_logs` (created if missing) with
--total rows, --user-rows of them about one user and the rest spread over --users others, with
`INSERT ... SELECT generate_series` into the table stripped of its indexes and constraints, which
are rebuilt afterwards. A table already holding that many rows is reused (--reload to refill).

Then it times, in this process through django.test.Client as a signed-in superuser, the user's Logs
tab (page 1, the htmx fragment, a page half a million entries deep, filters), log details and the
console-wide audit log. Times are milliseconds of server time, median and p95 of --runs after
--warmups, with the median CPU time of this process beside them (the rest is the database and
waiting for a CPU on a busy machine). The target (docs/audit.md) is judged on the median of the
Logs tab's page 1; a missed target prints FAIL but the exit status stays 0.
"""

import argparse
import gc
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass

DATABASE = "gatehouse_bench_logs"
TARGET_MS = 15.0
TARGET_USERNAME = "bench_logs_target"
ADMIN_USERNAME = "bench_logs_admin"
OTHER_PREFIX = "bench_logs_user_"
BATCH = 1_000_000
YEARS = 3

# Event keys and how often each happens, per 1,000 entries.
KEY_WEIGHTS = {
    "Interaction.SignIn.Submit": 300,
    "ExchangeTokenBy.RefreshToken": 280,
    "ExchangeTokenBy.AuthorizationCode": 150,
    "Interaction.SignIn.Verification.Password.Submit": 150,
    "Interaction.SignIn.Create": 40,
    "RevokeToken": 40,
    "Interaction.Register.Submit": 15,
    "Interaction.ForgotPassword.Submit": 15,
    "Interaction.SignIn.Verification.Totp.Submit": 7,
    "Console.User.Profile.Update": 1,
    "Console.User.Suspend": 1,
    "ManagementApi.User.Profile.Update": 1,
}
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "AcmeApp/4.2 (iOS 18.1; iPhone15,2)",
)
APPLICATIONS = ("Acme Web", "Acme iOS", "Acme Android", "Partner Portal")


@dataclass
class Row:
    label: str
    times: list[float]
    cpu: list[float]  # Python's share; the rest is the database and waiting for a CPU
    target_ms: float | None = None  # judged on the median

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return ""
        return "PASS" if self.median <= self.target_ms else "FAIL"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.logs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--total", type=int, default=10_000_000, help="log rows in the table")
    parser.add_argument("--user-rows", type=int, default=1_000_000, help="rows about one user")
    parser.add_argument("--users", type=int, default=10_000, help="users the rows are about")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per case")
    parser.add_argument("--warmups", type=int, default=5, help="untimed runs before each case")
    parser.add_argument("--reload", action="store_true", help="empty and refill the log table")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of page 1")
    args = parser.parse_args(argv)
    if not 0 < args.user_rows <= args.total or args.users < 2:
        parser.error("need 0 < --user-rows <= --total and --users >= 2")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.db import connection

    name = connection.settings_dict.get("NAME")
    if connection.vendor != "postgresql" or name != DATABASE:
        print(
            f"The logs benchmark fills its own PostgreSQL database, {DATABASE}:\n"
            f"  DATABASE_URL=postgres://postgres@127.0.0.1:5432/{DATABASE} make bench-logs\n"
            f"(now: {connection.vendor} {name}).",
            file=sys.stderr,
        )
        return 2
    create_database(connection.settings_dict)
    print(f"Database: {DATABASE} on {connection.settings_dict.get('HOST') or '-'}", flush=True)
    target = prepare(args)
    # A server process has not just run migrations and a bulk load: collect what they left and
    # keep the rest out of later collections, or every collection walks it during the timings.
    gc.collect()
    gc.freeze()
    rows = measure(args, target)
    report(rows, args)
    if args.explain:
        explain(target)
    return 0


def create_database(settings_dict):
    """CREATE DATABASE gatehouse_bench_logs if it does not exist yet (connecting to `postgres`)."""
    import psycopg
    from psycopg import sql

    params = {
        "dbname": "postgres",
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def prepare(args):
    """Migrate, make the users and applications, and load the log table unless it is loaded."""
    from django.core.management import call_command
    from django.db import connection

    from audit.models import Log

    call_command("migrate", interactive=False, verbosity=0)
    target, others = ensure_users(args.users)
    applications = ensure_applications()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Log._meta.db_table]
        )
        estimate = cursor.fetchone()[0]
    loaded = 0
    if estimate > 0 and abs(estimate - args.total) < args.total * 0.01:
        loaded = Log.objects.count()
    if loaded == args.total and not args.reload:
        mine = Log.objects.filter(user_ref=target.pk).count()
        if mine == args.user_rows:
            print(f"Reusing the {loaded:,} log rows already loaded ({mine:,} for one user).")
            return target
    load(args, target, others, applications)
    return target


def ensure_users(count: int):
    from users.models import User

    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        admin = User(username=ADMIN_USERNAME, is_staff=True, is_superuser=True, name="Benchmark")
        admin.set_unusable_password()
        admin.save()
    target = User.objects.filter(username=TARGET_USERNAME).first()
    if target is None:
        target = User(username=TARGET_USERNAME, name="Busy Person")
        target.set_unusable_password()
        target.save()
    have = User.objects.filter(username__startswith=OTHER_PREFIX).count()
    if have < count - 1:
        batch = []
        for n in range(have, count - 1):
            user = User(username=f"{OTHER_PREFIX}{n}", primary_email=f"logs{n}@example.com")
            user.set_unusable_password()
            user.refresh_search_text()
            batch.append(user)
        User.objects.bulk_create(batch, batch_size=2_000)
    others = list(
        User.objects.filter(username__startswith=OTHER_PREFIX)
        .order_by("username")
        .values_list("id", "primary_email")[: count - 1]
    )
    return target, others


def ensure_applications() -> list[str]:
    from users.models import Application

    ids = []
    for name in APPLICATIONS:
        app = Application.objects.filter(name=name).first()
        if app is None:
            app = Application(
                name=name,
                client_type=Application.CLIENT_PUBLIC,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                client_secret="",
            )
            app.save()
        ids.append(app.pk)
    return ids


def load(args, target, others, applications):
    """Refill audit_log: drop its indexes and constraints, INSERT ... SELECT in batches, rebuild."""
    from django.db import connection

    from audit.models import Log
    from users.models import User

    table = connection.ops.quote_name(Log._meta.db_table)
    admin_id = User.objects.get(username=ADMIN_USERNAME).pk
    keys = [key for key, weight in KEY_WEIGHTS.items() for _ in range(weight)]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
        dropped = _drop_indexes_and_constraints(cursor, Log._meta.db_table)
        cursor.execute("DROP TABLE IF EXISTS bench_users")
        cursor.execute("CREATE TEMP TABLE bench_users (n int PRIMARY KEY, id text, label text)")
        with cursor.copy("COPY bench_users (n, id, label) FROM STDIN") as copy:
            for n, (user_id, label) in enumerate(others):
                copy.write_row((n, user_id, label))
        done = 0
        while done < args.total:
            size = min(BATCH, args.total - done)
            cursor.execute(
                INSERT_SQL.format(table=table),
                {
                    "first": done + 1,
                    "last": done + size,
                    "user_rows": args.user_rows,
                    "target_id": target.pk,
                    "target_label": target.username,
                    "others": len(others),
                    "keys": keys,
                    "agents": list(USER_AGENTS),
                    "apps": applications,
                    "admin_id": admin_id,
                    "admin_label": ADMIN_USERNAME,
                    "days": 365 * YEARS,
                },
            )
            done += size
            elapsed = time.perf_counter() - started
            print(f"Loaded {done:,} of {args.total:,} log rows ({elapsed:.0f} s)", flush=True)
        rebuilt_at = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in dropped:
            cursor.execute(statement)
        cursor.execute("RESET maintenance_work_mem")
        print(f"Indexes and constraints rebuilt in {time.perf_counter() - rebuilt_at:.0f} s")
    vacuumed_at = time.perf_counter()
    with connection.cursor() as cursor:
        # Visibility map and statistics now, as autovacuum would after a while.
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(
        f"Vacuumed in {time.perf_counter() - vacuumed_at:.0f} s;"
        f" load total {time.perf_counter() - started:.0f} s",
        flush=True,
    )


INSERT_SQL = """
INSERT INTO {table} (id, key, result, user_id, user_ref, user_label, actor_id, actor_label,
                     application_id, ip, user_agent, payload, created_at)
SELECT
    substr(md5('log' || s.g), 1, 21),
    s.key,
    CASE WHEN s.r < 0.1 THEN 'Error' ELSE 'Success' END,
    s.user_id, s.user_id, s.user_label,
    CASE WHEN s.key LIKE 'Console.%%' THEN %(admin_id)s END,
    CASE WHEN s.key LIKE 'Console.%%' THEN %(admin_label)s
         WHEN s.key LIKE 'ManagementApi.%%' THEN (%(apps)s::text[])[1] ELSE '' END,
    (%(apps)s::text[])[1 + (s.g %% cardinality(%(apps)s::text[]))],
    ('203.0.113.' || (1 + s.g %% 254))::inet,
    (%(agents)s::text[])[1 + (s.g / 7) %% cardinality(%(agents)s::text[])],
    CASE WHEN s.r < 0.1
         THEN jsonb_build_object('error', jsonb_build_object('code', 'session.invalid_credentials'))
         ELSE jsonb_build_object('interactionEvent', 'SignIn') END,
    now() - random() * make_interval(days => %(days)s)
FROM (
    SELECT g.g,
           random() AS r,
           -- The busy user never reset a password: a group that is absent for them only.
           CASE WHEN g.g <= %(user_rows)s AND r.key LIKE 'Interaction.ForgotPassword.%%'
                THEN 'Interaction.SignIn.Submit' ELSE r.key END AS key,
           CASE WHEN g.g <= %(user_rows)s THEN %(target_id)s ELSE u.id END AS user_id,
           CASE WHEN g.g <= %(user_rows)s THEN %(target_label)s ELSE u.label END AS user_label
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g(g)
    CROSS JOIN LATERAL (
        SELECT (%(keys)s::text[])[1 + floor(random() * cardinality(%(keys)s::text[]))::int] AS key
        OFFSET 0 * g.g
    ) r
    LEFT JOIN bench_users u ON u.n = g.g %% %(others)s
) s
"""


def _drop_indexes_and_constraints(cursor, table: str) -> list[str]:
    """Drop every index and constraint of `table`; return the statements that recreate them,
    primary key first and foreign keys last."""
    cursor.execute(
        """
        SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('p', 'f', 'u')
        """,
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table],
    )
    indexes = cursor.fetchall()
    quoted = f'"{table}"'
    recreate = []
    order = {"p": 0, "u": 1, "f": 3}
    for name, kind, definition in sorted(constraints, key=lambda c: order[c[1]]):
        cursor.execute(f'ALTER TABLE {quoted} DROP CONSTRAINT "{name}"')
        recreate.append((order[kind], f'ALTER TABLE {quoted} ADD CONSTRAINT "{name}" {definition}'))
    for name, definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
        recreate.append((2, definition))
    return [statement for _, statement in sorted(recreate, key=lambda r: r[0])]


def timed(fn, *, runs: int, warmups: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds of each run."""
    for _ in range(warmups):
        fn()
    times, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter_ns(), time.process_time_ns()
        fn()
        times.append((time.perf_counter_ns() - started) / 1e6)
        cpu.append((time.process_time_ns() - cpu_started) / 1e6)
    return times, cpu


def measure(args, target) -> list[Row]:
    from django.test import Client

    from audit.models import Log
    from audit.queries import Cursor
    from users.models import User

    client = Client(HTTP_HOST="localhost")  # an allowed host, without the test environment
    client.force_login(User.objects.get(username=ADMIN_USERNAME))
    tab = f"/console/users/{target.pk}/logs"
    fragment = {"HX-Request": "true", "HX-Target": "log-table"}

    def get(url, headers=None):
        def run():
            response = client.get(url, headers=headers or {}, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")

        return run

    mine = Log.objects.filter(user_ref=target.pk).order_by("-created_at", "-id")
    deep_offset = min(500_000, args.user_rows - 1)
    deep = Cursor.of(mine[deep_offset]).encode()
    newest = mine.first()
    cases = [
        # The same console shell and user header without any log: what every page costs here.
        ("Baseline: Roles tab (no logs)", f"/console/users/{target.pk}/roles", None, None),
        ("Logs tab, page 1 (whole page)", tab, None, TARGET_MS),
        ("Logs tab, page 1 (htmx fragment)", tab, fragment, None),
        (f"Logs tab, older than entry {deep_offset:,}", f"{tab}?before={deep}", fragment, None),
        (f"Logs tab, newer than entry {deep_offset:,}", f"{tab}?after={deep}", fragment, None),
        ("Logs tab, result = Error", f"{tab}?result=Error", fragment, None),
        ("Logs tab, event = sign-in group", f"{tab}?event=Interaction.SignIn.*", fragment, None),
        ("Logs tab, event = RevokeToken", f"{tab}?event=RevokeToken", fragment, None),
        ("Logs tab, last 24 hours", f"{tab}?period=24h", fragment, None),
        ("Logs tab, rare event (admin actions)", f"{tab}?event=Console.*", fragment, None),
        (
            "Logs tab, event absent for this user",
            f"{tab}?event=Interaction.ForgotPassword.*",
            fragment,
            None,
        ),
        ("Logs tab, event absent for everyone", f"{tab}?event=System.*", fragment, None),
        ("Log details", f"{tab}/{newest.pk}", None, None),
        ("Audit logs (everyone), page 1", "/console/audit-logs", None, None),
        ("Audit logs (everyone), result = Error", "/console/audit-logs?result=Error", None, None),
        ("Audit logs (everyone), admin actions", "/console/audit-logs?event=Console.*", None, None),
    ]
    # One pass over every page first: templates, URL resolvers and the database's caches warm.
    for _label, url, headers, _target in cases:
        for _ in range(args.warmups):
            get(url, headers)()
    rows = []
    for label, url, headers, target_ms in cases:
        print(f"Timing {label}...", flush=True)
        times, cpu = timed(get(url, headers), runs=args.runs, warmups=args.warmups)
        rows.append(Row(label, times, cpu, target_ms))
    return rows


def report(rows: list[Row], args):
    print()
    print(
        f"{args.total:,} log rows, {args.user_rows:,} about one user;"
        f" ms of server time over {args.runs} runs"
    )
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (noise: compare within a run)"
    )
    print(f"{'case':<44} {'median':>8} {'p95':>8} {'cpu':>6}  target")
    for row in rows:
        target = f"median ≤ {row.target_ms:g} {row.verdict}" if row.target_ms else ""
        cpu = statistics.median(row.cpu)
        print(f"{row.label:<44} {row.median:>8.2f} {row.p95:>8.2f} {cpu:>6.2f}  {target}")


def explain(target):
    from django.db import connection

    from audit.models import Log

    query = Log.objects.filter(user_ref=target.pk).order_by("-created_at", "-id")[:21]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n" + "\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    sys.exit(main())
