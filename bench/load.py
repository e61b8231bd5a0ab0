"""`make serve` under load: `python -m bench.load` (`make bench-load`).

Starts the production server (gunicorn with console/gunicorn.conf.py, DEBUG off) on loopback
against the benchmark database, signs a bench admin in, and runs `wrk` (Debian's package) with 8
connections for --duration seconds over a mix of console requests: the table, next page,
searches (common, rare, absent, an exact email), user details, a user's logs tab and the audit log.
Prints requests/s, latency percentiles and each worker's RSS; stops the server at the end.
Targets (issue 11): ≥ 150 requests/s, p95 ≤ 100 ms, ≤ 150 MiB RSS per worker.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

RATE_TARGET, P95_TARGET_MS, RSS_TARGET_MIB = 150.0, 100.0, 150.0
ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of load (bounded)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8747)
    parser.add_argument(
        "--workers", type=int, default=None, help="WEB_CONCURRENCY (default: gunicorn.conf.py's)"
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    # The server and this process must share the key: the session's auth hash depends on it.
    env = dict(os.environ, DEBUG="false", SECURE_SSL="false", PORT=str(args.port), HOST="127.0.0.1")
    env["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40)
    env.pop("GATEHOUSE_LOCAL", None)
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    os.environ.update(SECRET_KEY=env["SECRET_KEY"], DEBUG="false", SECURE_SSL="false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    cookie, paths = session_cookie(), request_mix()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [
            gunicorn,
            "--config",
            "console/gunicorn.conf.py",
            "--max-requests",
            "0",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_ready(args.port, server)
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
            listing.write("\n".join(paths) + "\n")
            listing.flush()
            wrk = ["wrk", "-t2", f"-c{args.connections}", "--timeout", "10s"]
            wrk += ["-s", str(ROOT / "bench" / "load.lua"), f"http://127.0.0.1:{args.port}"]
            wrk_env = dict(os.environ, COOKIE=cookie, PATHS_FILE=listing.name)
            subprocess.run([*wrk, "-d3s"], env=wrk_env, capture_output=True, check=True)  # warm-up
            load = os.getloadavg()[0]
            cpu_before = workers_cpu(server.pid)
            run = [*wrk, f"-d{args.duration}s"]
            output = subprocess.run(
                run, env=wrk_env, capture_output=True, text=True, check=True
            ).stdout
            cpu = workers_cpu(server.pid) - cpu_before
        rss = workers_rss(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return report(output, rss, cpu, paths, load, args)


def session_cookie() -> str:
    from django.conf import settings
    from django.test import Client

    from users.models import User

    admin, _ = User.objects.get_or_create(
        username="bench_admin",
        defaults={"is_staff": True, "is_superuser": True, "name": "Benchmark"},
    )
    client = Client()
    client.force_login(admin)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def request_mix() -> list[str]:
    from audit.models import Log
    from users.models import User

    people = list(
        User.objects.filter(is_staff=False, pk__in=Log.objects.exclude(user=None).values("user"))
        .exclude(primary_email=None)
        .order_by("pk")[:4]
    )
    table = "/console/users"
    paths = [table, table + "?page=2"]
    for search in ("smith", "ann", "quackenbush", "nosuchperson", people[0].primary_email):
        paths.append(table + "?" + urlencode({"search": search}))
    for person in people:
        paths.append(f"{table}/{person.pk}")
    paths += [f"{table}/{people[0].pk}/logs", "/console/audit-logs"]
    return paths


def wait_ready(port: int, server):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited: " + server.stderr.read().decode()[-2000:])
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def workers_cpu(master: int) -> float:
    """The workers' CPU seconds so far (user + system): wall time lies on a shared machine."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def workers_rss(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sizes


def report(output: str, rss: list[float], cpu: float, paths: list[str], load: float, args) -> int:
    figures = dict(re.findall(r"(\w+)=(\d+)", " ".join(re.findall(r"^LOAD (.*)$", output, re.M))))
    requests, seconds = int(figures["requests"]), int(figures["duration_us"]) / 1e6
    rate, p95 = requests / seconds, int(figures["p95_us"]) / 1000
    print(f"{len(paths)} paths in turn, {args.connections} connections, {seconds:.0f} s:")
    print("\n".join("  " + p for p in paths))
    print(f"requests: {requests:,}  errors: {figures['errors']}  non-2xx: {figures['non2xx']}")
    print(
        f"latency ms: p50 {int(figures['p50_us']) / 1000:.1f} · p90 {int(figures['p90_us']) / 1000:.1f}"
        f" · p95 {p95:.1f} · p99 {int(figures['p99_us']) / 1000:.1f}"
    )
    print("workers' RSS MiB: " + ", ".join(f"{size:.0f}" for size in rss))
    print(
        f"workers' CPU: {cpu:.1f} s, {cpu * 1000 / max(requests, 1):.1f} ms a request (Python only)"
    )
    checks = [
        (f"{rate:.0f} requests/s ≥ {RATE_TARGET:g}", rate >= RATE_TARGET),
        (f"p95 {p95:.1f} ms ≤ {P95_TARGET_MS:g}", p95 <= P95_TARGET_MS),
        (f"max RSS {max(rss):.0f} MiB ≤ {RSS_TARGET_MIB:g}", max(rss) <= RSS_TARGET_MIB),
        ("no errors or non-2xx answers", figures["errors"] == figures["non2xx"] == "0"),
    ]
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}: {text}")
    print(f"Load average (1 min) at the start / end: {load:.2f} / {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
