"""Export through the console's request path: `python -m bench.transfer --format csv --out FILE`.

Signs in a superuser with django.test.Client, POSTs the Export dialog for every user (all columns,
password digests included unless --no-passwords) and writes the streamed body to --out, printing
the rows, bytes and seconds. Run it under `/usr/bin/time -v` for the peak memory; the import side
is `manage.py import_users FILE` under the same. See docs/performance.md ("Export and import").
"""

import argparse
import os
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("--out", required=True)
    parser.add_argument("--query", default="", help="the table's query string, e.g. search=smith")
    parser.add_argument("--no-passwords", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    os.environ.setdefault("GATEHOUSE_LOCAL", "true")
    import django

    django.setup()
    from django.test import Client

    from users import transfer
    from users.models import User

    admin = User.objects.filter(is_superuser=True, is_suspended=False).first()
    if admin is None:
        admin = User.objects.create(
            username="bench_transfer_admin", is_staff=True, is_superuser=True
        )
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(admin)
    data = {"format": args.format, "columns": list(transfer.COLUMNS)}
    if not args.no_passwords:
        data["include_passwords"] = "on"
    url = "/console/users/export" + (f"?{args.query}" if args.query else "")
    started = time.perf_counter()
    response = client.post(url, data, secure=True)
    if response.status_code != 200:
        sys.exit(f"export answered {response.status_code}")
    first = None
    lines = size = 0
    with open(args.out, "wb") as out:
        for chunk in response.streaming_content:
            if first is None:
                first = time.perf_counter() - started
            out.write(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    rows = lines - (1 if args.format == "csv" else 0)
    print(
        f"exported {rows:,} rows, {size / 1e6:.1f} MB of {args.format} in {elapsed:.1f} s "
        f"(first byte after {first * 1000:.0f} ms, {rows / elapsed:,.0f} rows/s)"
    )


if __name__ == "__main__":
    main()
