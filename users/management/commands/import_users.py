"""manage.py import_users FILE [--dry-run] [--on-existing skip|update] [--skip-bad-rows]

The console's import without its row limit: the same check and the same batched writes
(users/transfer.py), a progress bar on stderr, the summary and the errors (by line) on stdout.
Exit code 1 when any row failed (whether or not the others were written), 0 otherwise.
On PostgreSQL a large import into a small directory builds the user table's secondary indexes
after the load (users/transfer_pg.py; `--keep-indexes`: never); `--restore-indexes` builds
those an interrupted import left unbuilt, and nothing else.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from audit.recorder import Origin
from users import transfer


class Command(BaseCommand):
    help = "Import users from a CSV or JSON Lines file (see docs/transfer.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument(
            "--format",
            choices=[transfer.CSV, transfer.JSONL],
            help="csv or jsonl (default: from the file's extension)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--on-existing", choices=[transfer.SKIP, transfer.UPDATE], default=transfer.SKIP
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="import the valid rows even when others fail",
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="PostgreSQL: keep every index up to date row by row, even for a large import",
        )
        parser.add_argument(
            "--restore-indexes",
            action="store_true",
            help="PostgreSQL: build the indexes an interrupted import set aside, then stop",
        )
        parser.add_argument("--max-errors", type=int, default=50, help="errors printed at most")

    def handle(self, *args, **options):
        if options["restore_indexes"]:
            from users import transfer_pg

            self.stdout.write(f"{transfer_pg.restore_indexes()} indexes built")
            return
        if not options["file"]:
            raise CommandError("Give the FILE to import.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        fmt = options["format"] or transfer.detect_format(path.name)
        if fmt is None:
            raise CommandError("Give --format csv|jsonl (the extension does not say).")
        opener = transfer.path_opener(path)
        try:
            if options["dry_run"]:
                report = transfer.check_import(
                    opener,
                    fmt,
                    on_existing=options["on_existing"],
                    batch_size=options["batch_size"],
                )
            else:
                report = self._run(opener, fmt, path, options)
        except transfer.FileError as error:
            raise CommandError(str(error)) from None
        self._summary(report, options)
        if report.rows_failed:
            sys.exit(1)

    def _run(self, opener, fmt, path, options):
        bar = None

        def progress(done, total):
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="row", file=sys.stderr, desc="Importing")
            bar.update(done)

        try:
            return transfer.run_import(
                opener,
                fmt,
                origin=Origin.system("import_users"),
                on_existing=options["on_existing"],
                skip_bad_rows=options["skip_bad_rows"],
                batch_size=options["batch_size"],
                progress=progress,
                source=path.name,
                set_aside=not options["keep_indexes"],
            )
        finally:
            if bar is not None:
                bar.close()

    def _summary(self, report, options):
        write = self.stdout.write
        for error in report.errors[: options["max_errors"]]:
            where = f" [{error.field}]" if error.field else ""
            write(f"line {error.line}{where}: {error.message}")
        if report.error_count > options["max_errors"]:
            write(f"... {report.error_count - options['max_errors']} more errors")
        if report.ran:
            write(
                f"{report.rows} rows: {report.created} created, {report.updated} updated, "
                f"{report.skipped} skipped (already here), {report.rows_failed} failed"
            )
            if report.rebuilt_indexes:
                write(f"{report.rebuilt_indexes} indexes of the user table built after the load")
        elif options["dry_run"]:
            write(
                f"{report.rows} rows checked: {report.new} new, {report.existing} already here, "
                f"{report.rows_failed} failed (dry run: nothing written)"
            )
        else:
            write(
                f"{report.rows} rows: {report.rows_failed} failed, nothing written "
                "(fix them, or give --skip-bad-rows)"
            )
