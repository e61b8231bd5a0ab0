"""A big import file without a big database: `python -m bench.import_file --users N --out FILE`.

Writes the seed's people (`seed_demo`'s generator, same `--seed` → same people) in the export's
format with every column and password digests, as `bench.transfer` would export them from a
database seeded with the same seed (ids, identifiers, names, dates; roles and organizations from
`seed_access`'s names when --access is given); `--start N` begins at the N-th person, so the file
holds people a directory seeded with N users has not. Use it to measure `manage.py import_users`
at 1,000,000 rows (docs/performance.md, "Import at 1,000,000 rows", "Stop 20").
"""

import argparse
import os
import random
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--start",
        type=int,
        default=0,
        help="the first person's number: --start 1000000 gives people a 1 M file has not",
    )
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--access", action="store_true", help="give rows seed_access's roles and organizations"
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    os.environ.setdefault("GATEHOUSE_LOCAL", "true")
    import django

    django.setup()
    from django.utils import timezone

    from users import transfer
    from users.management.commands import seed_access, seed_demo
    from users.models import Application

    started = time.perf_counter()
    applications = [
        Application(id=f"app{n}", name=a["name"]) for n, a in enumerate(seed_demo.APPLICATIONS)
    ]
    generator = seed_demo.DemoUsers(
        random.Random(f"{args.seed}:{args.start}"),  # as seed_demo topping up from --start
        applications=applications,
        passwords=seed_demo.throwaway_passwords(),
        now=timezone.now(),
    )
    roles = [n for n, spec in seed_access.ROLES.items() if spec[1] == "User"] if args.access else []
    organizations = list(seed_access.ORGANIZATIONS) if args.access else []
    columns = transfer.export_columns(transfer.COLUMNS, include_passwords=True)
    pick = random.Random(args.seed)

    def rows():
        for index in range(args.start, args.start + args.users):
            values = dict(zip(seed_demo.ROW_COLUMNS, generator.row(index), strict=True))
            digest, algorithm = transfer.exported_digest(values["password"])
            yield {
                "id": values["id"],
                "username": values["username"],
                "primary_email": values["primary_email"],
                "primary_phone": values["primary_phone"],
                "name": values["name"],
                "avatar": "",
                "custom_data": {},
                "profile": {},
                "roles": sorted(pick.sample(roles, k=pick.randint(0, 2))) if roles else [],
                "organizations": (
                    [pick.choice(organizations)] if organizations and pick.random() < 0.25 else []
                ),
                "is_suspended": values["is_suspended"],
                "has_password": digest is not None,
                "created_at": values["created_at"],
                "updated_at": values["updated_at"],
                "last_sign_in_at": values["last_sign_in_at"],
                "password_digest": digest,
                "password_algorithm": algorithm,
            }

    lines = (
        transfer.csv_lines(rows(), columns)
        if args.format == "csv"
        else transfer.jsonl_lines(rows(), columns)
    )
    size = 0
    with open(args.out, "w", encoding="utf-8", newline="") as out:
        for line in lines:
            out.write(line)
            size += len(line)
    elapsed = time.perf_counter() - started
    print(f"wrote {args.users:,} rows, {size / 1e6:.1f} MB in {elapsed:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
