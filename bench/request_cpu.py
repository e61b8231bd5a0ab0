"""Wall and CPU time of one console URL's whole request, and where the CPU goes.

    DATABASE_URL=postgres://... python -m bench.request_cpu /console/users [--fragment] [--profile]

Signs in as bench.users' admin (which must exist: run bench.users once) through django.test.Client,
like bench.users, and changes nothing else. CPU time is this process's (the database server's time
is not in it): on a shared machine it is the steadier figure. --profile prints cProfile's heaviest
functions over --runs more requests; --render-only times the view's template alone.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.request_cpu")
    parser.add_argument("path", nargs="?", default="/console/users")
    parser.add_argument("--fragment", action="store_true", help="as htmx asks for #user-table")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--render-only", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.test import Client

    from bench.users import BENCH_ADMIN
    from users.models import User

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=BENCH_ADMIN))
    headers = {"HX-Request": "true", "HX-Target": "user-table"} if args.fragment else {}

    def request():
        response = client.get(args.path, secure=True, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"GET {args.path} answered {response.status_code}")
        return response

    run = _render_only(request) if args.render_only else request
    for _ in range(3):
        run()
    wall, cpu = [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    what = "render only" if args.render_only else "fragment" if args.fragment else "full page"
    print(
        f"{args.path} ({what}): wall median {statistics.median(wall):.1f} ms, CPU median "
        f"{statistics.median(cpu):.1f} ms over {args.runs}; load {os.getloadavg()[0]:.2f}"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.runs):
            run()
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    return 0


def _render_only(request):
    """The view's template rendered again with the context of one real request."""
    from unittest import mock

    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from users.views import directory

    captured = {}

    def capture(req, template, context, status=200):
        captured["args"] = (template, context, req)
        return HttpResponse("")

    with mock.patch.object(directory, "render", capture):
        request()
    template, context, req = captured["args"]
    return lambda: render_to_string(template, context, req)


if __name__ == "__main__":
    sys.exit(main())
