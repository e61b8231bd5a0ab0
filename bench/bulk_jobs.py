"""Bulk job speed: `python -m bench.bulk_jobs --users 10000` suspends that many users in one job
(`--action` for another action, `delete` included; `--existing` for the seeded users; `--signed-in
N` gives N of them sessions and tokens to end). `--request QUERY` times instead the console's POST
that starts a job on "all matching" the table query QUERY ("" = every user), as an admin's
browser sends it, and deletes that job again.

Into the database DATABASE_URL names (PostgreSQL is the one that counts). It migrates, adds N
plain users (`bulk_job_<i>`, once; reactivated before each run), creates the job as the console
does (one INSERT ... SELECT freezes the selection) and runs it in this process, which is what the
worker's task does (users.bulk.run_job). Meanwhile a thread times the user table page through the
Django test client, to see the console stay responsive. Prints the figures for docs/performance.md.
"""

import argparse
import os
import statistics
import threading
import time


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.bulk_jobs")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--action",
        choices=["suspend", "expire_password", "assign_role", "add_organization", "delete"],
        default="suspend",
    )
    parser.add_argument(
        "--freeze-only", action="store_true", help="time creating the job, do not run it"
    )
    parser.add_argument(
        "--signed-in",
        type=int,
        default=0,
        help="give this many of the users a console session, a browser sign-in and an "
        "application's grant (access and refresh token) before the run, for the job to end",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="suspend the database's own non-staff users (seed_demo's), not bulk_job_<i> ones",
    )
    parser.add_argument(
        "--request",
        metavar="QUERY",
        help='time the POST that starts a job on all users matching this table query ("": all)',
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    os.environ.setdefault("GATEHOUSE_LOCAL", "true")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL", "false")
    os.environ.setdefault("DEBUG", "true")  # pages link plain static names: no collectstatic
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from audit.recorder import Origin
    from users import bulk
    from users.models import User

    call_command("migrate", verbosity=0)
    admin, _ = User.objects.get_or_create(
        username="bench_bulk_admin",
        defaults={"is_staff": True, "is_superuser": True, "primary_email": "bulk@bench.test"},
    )
    if args.request is not None:
        time_start_request(admin, args.action, args.request)
        return
    if args.existing:
        pool = User.objects.filter(is_staff=False, is_superuser=False).exclude(
            username__startswith="bulk_job_"
        )
    else:
        pool = User.objects.filter(username__startswith="bulk_job_")
        have = pool.count()
        if have < args.users:
            User.objects.bulk_create(
                [
                    User(username=f"bulk_job_{i}", primary_email=f"bulk{i}@bench.test")
                    for i in range(have, args.users)
                ],
                batch_size=5000,
            )
    # A subquery, not a list of ids: 100,000 parameters are more than PostgreSQL takes.
    targets = User.objects.filter(pk__in=pool.order_by("pk")[: args.users].values("pk"))
    # Each run starts from users the action applies to.
    targets.update(is_suspended=False, is_password_expired=False)
    parameters = {}
    if args.action == "assign_role":
        from users.models import Role, UserRole

        role, _ = Role.objects.get_or_create(name="bench bulk role")
        UserRole.objects.filter(role=role).delete()
        parameters = {"role": role.pk}
    elif args.action == "add_organization":
        from users.models import Membership, Organization

        organization, _ = Organization.objects.get_or_create(name="bench bulk organization")
        Membership.objects.filter(organization=organization).delete()
        parameters = {"organization": organization.pk}
    origin = Origin(channel="Console", actor=admin, actor_label="bench")
    if args.signed_in:
        sign_in(targets.order_by("pk")[: args.signed_in].values_list("pk", flat=True))

    start = time.perf_counter()
    with transaction.atomic():
        job = bulk.create_job(
            action=args.action,
            users=targets,
            origin=origin,
            selection={},
            parameters=parameters,
        )
    created = time.perf_counter() - start
    if args.freeze_only:
        print(f"database: {connection.vendor}; create a job over {job.total:,}: {created:.2f} s")
        job.delete()
        return

    page_times, stop = [], threading.Event()

    def browse():
        client = Client()
        client.force_login(admin)
        while not stop.is_set():
            t = time.perf_counter()
            response = client.get("/console/users")
            assert response.status_code == 200, response.status_code
            page_times.append((time.perf_counter() - t) * 1000)
            time.sleep(0.25)  # an admin clicking around, not a load test
        connection.close()

    statements, by_kind = 0, {}

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            words = sql.split()
            table = next((w for w in words if w.startswith('"')), "")
            kind = f"{words[0]} {table}"
            by_kind[kind] = by_kind.get(kind, 0) + time.perf_counter() - t

    browser = threading.Thread(target=browse)
    browser.start()
    start, cpu = time.perf_counter(), time.thread_time()
    with connection.execute_wrapper(count):
        job = bulk.run_job(job.pk, batch_size=args.batch)
    ran, cpu = time.perf_counter() - start, time.thread_time() - cpu
    stop.set()
    browser.join()

    print(
        f"database: {connection.vendor}; action: {args.action}; users: {job.total:,}; "
        f"batch: {args.batch}"
    )
    print(f"state {job.state}: done {job.done:,}, skipped {job.skipped}, failed {job.failed}")
    print(f"create (freeze the selection): {created:.2f} s")
    print(
        f"run: {ran:.1f} s = {job.total / ran:,.0f} users/s (CPU of the job's thread {cpu:.1f} s)"
    )
    print(f"statements: {statements:,} = {statements / max(job.total, 1):.3f} per user")
    print(f"load average: {os.getloadavg()}")
    for kind, seconds in sorted(by_kind.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {seconds:6.1f} s  {kind}")
    print(f"projected 100,000: {100_000 / (job.total / ran):.0f} s")
    if page_times:
        page_times.sort()
        p95 = page_times[int(len(page_times) * 0.95) - 1]
        print(
            f"user table meanwhile: {len(page_times)} requests, "
            f"median {statistics.median(page_times):.0f} ms, p95 {p95:.0f} ms"
        )


def time_start_request(admin, action, query) -> None:
    """The console's POST that starts a job on every user matching `query`, with the typed count
    (counted beforehand, as the preview does), timed whole; the job is deleted afterwards."""
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tasks_db.models import DBTaskResult

    from users.filters import matching_users
    from users.models import BulkJob

    count = matching_users(QueryDict(query)).count()
    client = Client()
    client.force_login(admin)
    client.get("/console/jobs")  # warm up: imports, templates, the session
    # As the preview's dialog posts it: the count it showed (hidden), and the same count typed.
    data = {
        "action": action,
        "all": "on",
        "query": query,
        "previewed": count,
        "confirmation": count,
    }
    start = time.perf_counter()
    preview = client.get("/console/users/bulk", {"action": action, "all": "on", "query": query})
    assert preview.status_code == 200, preview.status_code
    print(
        f"GET preview (counts every match, shows 10): {(time.perf_counter() - start) * 1000:,.0f} ms"
    )
    before = set(BulkJob.objects.values_list("pk", flat=True))
    start, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/console/users/bulk", data)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 302, response.status_code
    job = BulkJob.objects.exclude(pk__in=before).get()
    items = job.items.count()
    print(
        f"database: {connection.vendor}; POST start {action} on all {count:,} matching "
        f"{query!r}: {wall * 1000:,.0f} ms wall, {cpu * 1000:.0f} ms CPU (this process), "
        f"{len(queries)} statements; items written in the request: {items:,}; "
        f"load average: {os.getloadavg()}"
    )
    for query in sorted(queries, key=lambda q: -float(q["time"]))[:3]:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    DBTaskResult.objects.filter(id=job.task_id).delete()
    job.delete()


def sign_in(user_ids) -> None:
    """A console session, a browser sign-in row and a grant with live tokens for each user."""
    import secrets
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    from signin.models import EndUserSession
    from users.models import Application, UserSession

    AccessToken, RefreshToken = get_access_token_model(), get_refresh_token_model()
    app, _ = Application.objects.get_or_create(
        name="bench bulk app",
        defaults={
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        },
    )
    now = timezone.now()
    later = now + timedelta(hours=1)
    user_ids = list(user_ids)
    for start in range(0, len(user_ids), 5000):
        ids = user_ids[start : start + 5000]
        keys = {i: secrets.token_hex(16) for i in ids}
        UserSession.objects.bulk_create(
            [
                UserSession(session_key=keys[i], session_data="", expire_date=later, user_id=i)
                for i in ids
            ]
        )
        EndUserSession.objects.bulk_create(
            [
                EndUserSession(
                    user_id=i, kind=kind, application=app, session_key=key, last_used_at=now
                )
                for i in ids
                for kind, key in (("browser", keys[i]), ("grant", ""))
            ]
        )
        access = AccessToken.objects.bulk_create(
            [
                AccessToken(user_id=i, application=app, token=secrets.token_hex(16), expires=later)
                for i in ids
            ]
        )
        RefreshToken.objects.bulk_create(
            [
                RefreshToken(
                    user_id=a.user_id, application=app, token=secrets.token_hex(16), access_token=a
                )
                for a in access
            ]
        )
    print(f"signed in: {len(user_ids):,} users (a session, a sign-in, a grant with 2 tokens each)")


if __name__ == "__main__":
    main()
