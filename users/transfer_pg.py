"""Import on PostgreSQL: one reading of the file, COPY into a staging table, checks and writes in SQL.

`users.transfer` reads and cleans each row with the same code as on SQLite (`read_rows`,
`clean_row`: the same validation and messages, by line); here the rows that pass are COPYed into
a temporary table of this session, with everything their INSERTs need worked out in Python once
(the new id, `search_text`, the audit row's label and payload, ids for the role links). The
database then finds the rows that repeat an earlier line's id or identifier (a window over the
staging table) and the rows naming existing users (joins on the unique `lower(...)` indexes), so
memory stays flat whatever the file's size. When the file passed (or bad rows are to be skipped),
the rows are written in batches of `batch_size` lines, each one transaction: the batch's owners
are looked up again, then one `INSERT … SELECT` each for the users (`ON CONFLICT DO NOTHING`: a
row whose identifier someone took meanwhile fails alone), their role links, their memberships and
their `User.Create` audit rows; existing users are skipped or updated as on SQLite
(`transfer._update`). Each batch runs with WRITE_SETTINGS; a large import into a small
directory sets the user table's secondary indexes aside and builds them after the load
(docs/transfer.md, "At a million rows").
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.models import Log
from audit.recorder import Origin, _check_payload
from users import transfer
from users.models import (
    Membership,
    Organization,
    Role,
    SetAsideIndex,
    User,
    UserRole,
    build_search_text,
)
from users.transfer import UPDATE, CleanRow, ImportReport, RowError

STAGE = "gatehouse_import_stage"
# The identifiers a row is matched on: (error field, staging column, users_user expression).
KEYS = (
    ("username", "l_username", "lower(u.username)"),
    ("primary_email", "l_email", "lower(u.primary_email)"),
    ("primary_phone", "primary_phone", "u.primary_phone"),
    ("id", "given_id", "u.id"),
)
STAGE_COLUMNS = (
    "line",
    "new_id",
    "given_id",
    "username",
    "primary_email",
    "primary_phone",
    "l_username",
    "l_email",
    "name",
    "avatar",
    "custom_data",
    "profile",
    "details",
    "password",
    "has_digest",
    "is_suspended",
    "created_at",
    "last_sign_in_at",
    "search_text",
    "role_ids",
    "organization_ids",
    "link_ids",
    "log_id",
    "user_label",
    "payload",
)
# Each write transaction's own settings (SET LOCAL: nothing outlives the batch). Commits do not
# wait for the WAL flush: a crash loses only batches not yet acknowledged, and a resumed job
# writes those again from its `after_line`. The GIN indexes (trigram `search_text`,
# `custom_data`) take new entries into their pending list and merge them in bulk once it holds
# `gin_pending_list_limit` kB (64 MB: ~60,000 users a merge; a search reads the list while it
# fills); the merge sorts in `work_mem`.
WRITE_SETTINGS = {
    "synchronous_commit": "off",
    "gin_pending_list_limit": "65536",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
}
TAKEN = "An identifier was taken meanwhile."
GONE = "A role or organization it names was deleted meanwhile."


def _create_stage(cursor):
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {STAGE} (
            line integer PRIMARY KEY,
            new_id varchar(12) NOT NULL,
            given_id varchar(12),
            username varchar(128),
            primary_email varchar(128),
            primary_phone varchar(128),
            l_username text,
            l_email text,
            name varchar(128) NOT NULL,
            avatar varchar(2048) NOT NULL,
            custom_data jsonb NOT NULL,
            profile jsonb NOT NULL,
            details jsonb NOT NULL,
            password varchar(256) NOT NULL,
            has_digest boolean NOT NULL,
            is_suspended boolean NOT NULL,
            created_at timestamptz,
            last_sign_in_at timestamptz,
            search_text text NOT NULL,
            role_ids text[] NOT NULL,
            organization_ids text[] NOT NULL,
            link_ids text[] NOT NULL,
            log_id varchar(21) NOT NULL,
            user_label varchar(256) NOT NULL,
            payload jsonb NOT NULL,
            owner varchar(12),
            conflict boolean NOT NULL DEFAULT false,
            staff boolean NOT NULL DEFAULT false,
            bad boolean NOT NULL DEFAULT false,
            created boolean NOT NULL DEFAULT false
        )
        """
    )


_dump_details = json.JSONEncoder(default=str).encode  # one encoder, not one a row


def _staged(row: CleanRow, new_id: str, ids: list[str]) -> tuple:
    """The staging row of a cleaned row (STAGE_COLUMNS order); `ids` are 21-character ids for
    its role links, memberships and audit row."""
    ident = row.identifiers
    username, email, phone = (
        ident.get("username"),
        ident.get("primary_email"),
        ident.get("primary_phone"),
    )
    details = row.details
    name = details.get("name") or ""
    user_id = row.user_id or new_id
    payload = {
        "username": username,
        "primaryEmail": email,
        "primaryPhone": phone,
        "name": name,
        "hasPassword": bool(row.password),
        "passwordAlgorithm": row.password_algorithm,
        "roles": [r.name for r in row.roles],
        "organizations": [o.name for o in row.organizations],
        "isSuspended": row.is_suspended,
        "imported": True,
    }
    dumps = json.dumps
    return (
        row.line,
        user_id,
        row.user_id,
        username,
        email,
        phone,
        username.lower() if username else None,
        email.lower() if email else None,
        name,
        details.get("avatar") or "",
        dumps(details.get("custom_data", {})),
        dumps(details.get("profile", {})),
        _dump_details(details),
        row.password or "!" + secrets.token_hex(20),  # as set_unusable_password: "!" + 40 chars
        bool(row.password),
        row.is_suspended,
        row.created_at,
        row.last_sign_in_at,
        build_search_text(user_id, username, email, phone, name),
        [r.pk for r in row.roles],
        [o.pk for o in row.organizations],
        ids[:-1],
        ids[-1],
        (email or username or phone or user_id)[:256],
        dumps(payload),
    )


def _load(open_file, fmt, report: ImportReport, names, *, max_rows) -> dict:
    """Clean every row and COPY the good ones into the staging table; returns the roles and
    organizations met, by id (for updates)."""
    known: dict[str, object] = {}
    checked = False
    sql = f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN"
    with open_file() as binary:
        rows = transfer._clean_rows(binary, fmt, names, report, max_rows=max_rows)
        # Cleaning may look a role up: one COPY per batch, never a query inside a COPY.
        for batch in transfer._batches(rows, 5000):
            new_ids = iter(transfer.random_ids(len(batch), 12))
            ids = iter(
                transfer.random_ids(sum(len(r.roles) + len(r.organizations) + 1 for r in batch), 21)
            )
            with connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in batch:
                    for thing in (*row.roles, *row.organizations):
                        known[thing.pk] = thing
                    count = len(row.roles) + len(row.organizations) + 1
                    staged = _staged(row, next(new_ids), [next(ids) for _ in range(count)])
                    if not checked:
                        # The recorder's secret check depends on the payload's keys, which are
                        # the same for every row: checking the first checks them all.
                        _check_payload(json.loads(staged[-1]))
                        checked = True
                    copy.write_row(staged)
    return known


def _owners_sql(where: str, *, probe: bool) -> str:
    """(line, owners, the owner, is staff) of the staged rows `where` selects that name a user.

    `probe` (a batch): one index probe a staged row and key, whatever the planner's statistics
    say (LIMIT keeps the subquery from being flattened into a join). The user table grows under
    the import faster than autovacuum analyses it: with its statistics of an empty table, the
    planner hash-joined a batch's 5,000 rows against a sequential scan of the whole table, so
    each batch cost more than the one before (1.4 s a batch at 540,000 users)."""
    users = connection.ops.quote_name(User._meta.db_table)
    if probe:
        parts = [
            f"SELECT s.line, u.id, u.is_staff FROM {STAGE} s CROSS JOIN LATERAL"
            f" (SELECT u.id, u.is_staff FROM {users} u WHERE {expr} = s.{column} LIMIT 1) u"
            f" WHERE s.{column} IS NOT NULL AND {where}"
            for _, column, expr in KEYS
        ]
    else:
        parts = [
            f"SELECT s.line, u.id, u.is_staff FROM {STAGE} s JOIN {users} u ON {expr} = s.{column}"
            f" WHERE s.{column} IS NOT NULL AND {where}"
            for _, column, expr in KEYS
        ]
    return (
        "SELECT line, count(DISTINCT id) AS n, min(id) AS owner, bool_or(is_staff) AS staff"
        f" FROM ({' UNION ALL '.join(parts)}) found GROUP BY line"
    )


def _find_owners(cursor, where: str = "true", params=None, *, probe: bool = False):
    """Set each staged row's owner (or its conflict: two users) among the rows `where` selects
    (all of them: the check's joins; a batch's range: index probes)."""
    cursor.execute(
        f"UPDATE {STAGE} s SET owner = NULL, conflict = false, staff = false"
        f" WHERE (owner IS NOT NULL OR conflict OR staff) AND {where}",
        params,
    )
    cursor.execute(
        f"UPDATE {STAGE} s SET owner = CASE WHEN o.n = 1 THEN o.owner END,"
        " conflict = o.n > 1, staff = o.staff"
        f" FROM ({_owners_sql(where, probe=probe)}) o WHERE s.line = o.line",
        params,
    )


def _check(cursor, report: ImportReport, *, on_existing: str):
    """In-file repeats and existing owners, as errors by line; marks those rows bad."""
    cursor.execute(f"ANALYZE {STAGE}")  # temporary tables are never auto-analysed
    repeats = " UNION ALL ".join(
        f"SELECT line, {n} AS k, first FROM (SELECT line, min(line) OVER (PARTITION BY {column})"
        f" AS first FROM {STAGE} WHERE {column} IS NOT NULL) w WHERE line <> first"
        for n, (_, column, _) in enumerate(KEYS)
    )
    _find_owners(cursor)
    staff = "staff AND owner IS NOT NULL" if on_existing == UPDATE else "false"
    cursor.execute(
        f"SELECT line, k, first FROM ({repeats}) r"
        f" UNION ALL SELECT line, 10, 0 FROM {STAGE} WHERE conflict"
        f" UNION ALL SELECT line, 11, 0 FROM {STAGE} WHERE NOT conflict AND {staff}"
        " ORDER BY 1, 2"
    )
    bad = []
    for line, k, first in cursor.fetchall():
        if k == 10:
            error = RowError(
                line, "Its identifiers belong to different existing users: fix the row."
            )
        elif k == 11:
            error = RowError(line, "A console member's account is not changed by an import.")
        else:
            field = KEYS[k][0]
            error = RowError(line, f"Same {field} as line {first}.", field)
        report.add_errors([error])
        bad.append(line)
    for start in range(0, len(bad), 10_000):
        cursor.execute(
            f"UPDATE {STAGE} SET bad = true WHERE line = ANY(%s)", [bad[start : start + 10_000]]
        )
    cursor.execute(
        f"SELECT count(*), count(owner) FROM {STAGE} WHERE NOT bad",
    )
    report.valid, report.existing = cursor.fetchone()
    report.new = report.valid - report.existing
    report.errors.sort(key=lambda e: e.line)


def stage_and_check(open_file, fmt, *, on_existing, max_rows) -> tuple[ImportReport, dict]:
    """The check of `transfer.check_import`, leaving the staging table for a run."""
    report = ImportReport()
    names = transfer.Names()
    with connection.cursor() as cursor:
        _create_stage(cursor)
    known = _load(open_file, fmt, report, names, max_rows=max_rows)
    with connection.cursor() as cursor:
        _check(cursor, report, on_existing=on_existing)
    return report, known


def drop_stage():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")


def check_import(open_file, fmt, *, on_existing, max_rows) -> ImportReport:
    try:
        return stage_and_check(open_file, fmt, on_existing=on_existing, max_rows=max_rows)[0]
    finally:
        drop_stage()


def write_staged(report: ImportReport, known: dict, *, set_aside: bool = True, **options) -> bool:
    """Write the staged rows that passed (`_write_batches`, which takes the `options`); False
    when it stopped between two batches. A large import into a small directory
    (`worth_setting_aside`; `set_aside=False`: never) drops the user table's non-unique indexes
    first and builds them again after, whatever happens in between; otherwise the run ends by
    merging the GIN pending lists its batches filled."""
    restore_indexes()  # those an interrupted import left to build
    aside = set_aside and worth_setting_aside(report) and set_aside_indexes()
    try:
        finished = _write_batches(report, known, **options)
    finally:
        if aside:
            report.rebuilt_indexes = restore_indexes()
    if not aside:
        flush_pending_lists()
    return finished


def _write_batches(
    report: ImportReport,
    known: dict,
    *,
    origin: Origin,
    on_existing: str,
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
    after_line: int = 0,
    should_stop: Callable[[], bool] | None = None,
    on_batch: Callable[[int, list[int]], None] | None = None,
) -> bool:
    """Write the staged rows that passed, after line `after_line`, in batches; False when
    `should_stop()` said so between two batches. `on_batch(last line, [created, updated,
    skipped, failed])` runs inside each batch's transaction (a job saves its progress there)."""
    now = timezone.now()
    while True:
        if should_stop and should_stop():
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), max(line) FROM (SELECT line FROM {STAGE}"
                " WHERE NOT bad AND line > %s ORDER BY line LIMIT %s) b",
                [after_line, batch_size],
            )
            size, last = cursor.fetchone()
        if not size:
            return True
        try:
            with transaction.atomic():
                counts = _write_range(
                    report,
                    after_line,
                    last,
                    origin=origin,
                    on_existing=on_existing,
                    known=known,
                    now=now,
                )
                if on_batch:
                    on_batch(last, counts)
        except IntegrityError:
            # A role or organization deleted meanwhile: this batch line by line, refusing those.
            counts = [0, 0, 0, 0]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT line FROM {STAGE} WHERE NOT bad AND line > %s AND line <= %s ORDER BY line",
                    [after_line, last],
                )
                lines = [line for (line,) in cursor.fetchall()]
            for line in lines:
                try:
                    with transaction.atomic():
                        one = _write_range(
                            report,
                            line - 1,
                            line,
                            origin=origin,
                            on_existing=on_existing,
                            known=known,
                            now=now,
                        )
                except IntegrityError:
                    one = [0, 0, 0, 1]
                    report.add_errors(
                        [
                            RowError(
                                line,
                                "It could not be written (a role, organization or identifier changed meanwhile).",
                            )
                        ]
                    )
                counts = [a + b for a, b in zip(counts, one, strict=True)]
            if on_batch:
                with transaction.atomic():
                    on_batch(last, counts)
        created, updated, skipped, failed = counts
        report.created += created
        report.updated += updated
        report.skipped += skipped
        if failed:
            _report_taken(report, after_line, last)
        after_line = last
        if progress:
            progress(size, report.valid)


# --- A large import into a small directory: its secondary indexes built after the load ------------

# Row by row, the user table's non-unique indexes (trigram and custom-data GIN, the sort btrees)
# are most of an import's database time; built once after the load they cost a fraction. Only
# when the import creates at least REBUILD_FROM users and REBUILD_RATIO times those already
# there (a migration into a new directory): meanwhile the console's searches and sorts read the
# table without them (slower, never wrong). The unique indexes stay: they find the owners and
# refuse a taken identifier. Each is dropped and built CONCURRENTLY (readers and writers never
# wait), its definition saved first in SET_ASIDE, so an import that dies leaves the next one
# (or `manage.py import_users --restore-indexes`) to build it.
REBUILD_FROM = 200_000
REBUILD_RATIO = 10
SET_ASIDE = SetAsideIndex._meta.db_table
# Kept all along: the console's first page (newest first) and its searches with many hits walk it.
KEPT = ["user_newest_first"]


def worth_setting_aside(report: ImportReport) -> bool:
    if connection.in_atomic_block or report.new < REBUILD_FROM:
        return False  # (CONCURRENTLY cannot run in a transaction)
    users = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {users} LIMIT %s) u",
            [report.new // REBUILD_RATIO + 1],
        )
        return cursor.fetchone()[0] * REBUILD_RATIO <= report.new


def set_aside_indexes() -> int:
    """Save, then drop, the user table's indexes that no constraint or uniqueness needs."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SET_ASIDE} (name, definition)"
            " SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND i.indisvalid"
            " AND c.relname <> ALL(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
            " ON CONFLICT (name) DO NOTHING RETURNING name",
            [User._meta.db_table, KEPT],
        )
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(name)}")
    return len(names)


def restore_indexes() -> int:
    """Build every index SET_ASIDE holds (CREATE INDEX CONCURRENTLY, the GIN ones first) and
    forget it once it is valid; returns how many. A build a crash interrupted (an invalid
    index) is dropped and made again."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 0  # (CONCURRENTLY cannot run in a transaction)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, definition FROM {SET_ASIDE}"
            " ORDER BY position(' USING gin ' IN definition) = 0, name"
        )
        aside = cursor.fetchall()
        if not aside:
            return 0
        cursor.execute("SET maintenance_work_mem = '256MB'")
        try:
            for name, definition in aside:
                cursor.execute(
                    "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    " WHERE c.relname = %s AND i.indrelid = %s::regclass",
                    [name, User._meta.db_table],
                )
                found = cursor.fetchone()
                if found and not found[0]:
                    cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(name)}")
                if not (found and found[0]):
                    cursor.execute(
                        definition.replace("CREATE INDEX ", "CREATE INDEX CONCURRENTLY ", 1)
                    )
                cursor.execute(f"DELETE FROM {SET_ASIDE} WHERE name = %s", [name])
        finally:
            cursor.execute("RESET maintenance_work_mem")
    return len(aside)


# --- Each batch ------------------------------------------------------------------------------------


def _tune(cursor):
    """This transaction's WRITE_SETTINGS (one round trip)."""
    cursor.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in WRITE_SETTINGS),
        [part for pair in WRITE_SETTINGS.items() for part in pair],
    )


def flush_pending_lists():
    """Merge what the user table's GIN indexes hold in their pending lists (an import's last
    batches), so searches read the indexes alone again."""
    with transaction.atomic(), connection.cursor() as cursor:
        _tune(cursor)
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
            " WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
            [User._meta.db_table],
        )


def _report_taken(report, after, last):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT line FROM {STAGE} WHERE line > %s AND line <= %s AND NOT bad"
            " AND (conflict OR (owner IS NULL AND NOT created)) ORDER BY line",
            [after, last],
        )
        lines = [line for (line,) in cursor.fetchall()]
    known_bad = report.bad_lines
    report.add_errors([RowError(line, TAKEN) for line in lines if line not in known_bad])


def _write_range(
    report: ImportReport, after: int, last: int, *, origin: Origin, on_existing, known, now
) -> list[int]:
    """One batch: [created, updated, skipped, failed]. Call inside its transaction."""
    where = "s.line > %(after)s AND s.line <= %(last)s AND NOT s.bad"
    span = {"after": after, "last": last, "now": now}
    users = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        _tune(cursor)
        _find_owners(cursor, where, span, probe=True)
        # A role or organization deleted since the check: its rows fail, visibly.
        cursor.execute(
            f"UPDATE {STAGE} s SET bad = true WHERE {where} AND ("
            f" EXISTS (SELECT 1 FROM unnest(s.role_ids) r(id) WHERE NOT EXISTS"
            f" (SELECT 1 FROM {connection.ops.quote_name(Role._meta.db_table)} x WHERE x.id = r.id))"
            f" OR EXISTS (SELECT 1 FROM unnest(s.organization_ids) o(id) WHERE NOT EXISTS"
            f" (SELECT 1 FROM {connection.ops.quote_name(Organization._meta.db_table)} x"
            " WHERE x.id = o.id))) RETURNING line",
            span,
        )
        vanished = [line for (line,) in cursor.fetchall()]
        report.add_errors(
            [RowError(line, GONE) for line in vanished if line not in report.bad_lines]
        )
        cursor.execute(
            f"""
            WITH made AS (
                INSERT INTO {users} (
                    id, password, last_login, is_superuser, username, primary_email, primary_phone,
                    name, avatar, profile, custom_data, is_suspended, is_password_expired,
                    last_sign_in_at, password_updated_at, created_at, updated_at, is_staff,
                    search_text, application_id, staff_since
                )
                SELECT new_id, password, NULL, false, username, primary_email, primary_phone,
                    name, avatar, profile, custom_data, is_suspended, false,
                    last_sign_in_at, CASE WHEN has_digest THEN %(now)s END,
                    coalesce(created_at, %(now)s), %(now)s, false, search_text, NULL, NULL
                FROM {STAGE} s
                WHERE {where} AND owner IS NULL AND NOT conflict
                ORDER BY line
                ON CONFLICT DO NOTHING
                RETURNING id
            )
            UPDATE {STAGE} s SET created = true FROM made
            WHERE s.new_id = made.id AND s.line > %(after)s AND s.line <= %(last)s
            """,
            span,
        )
        created = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(UserRole._meta.db_table)}"
            " (id, user_id, role_id, created_at)"
            " SELECT s.link_ids[r.n], s.new_id, r.role_id, %s"
            f" FROM {STAGE} s, unnest(s.role_ids) WITH ORDINALITY r(role_id, n)"
            " WHERE s.created AND s.line > %s AND s.line <= %s",
            [now, after, last],
        )
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(Membership._meta.db_table)}"
            " (id, user_id, organization_id, created_at)"
            " SELECT s.link_ids[cardinality(s.role_ids) + o.n], s.new_id, o.organization_id, %s"
            f" FROM {STAGE} s, unnest(s.organization_ids) WITH ORDINALITY o(organization_id, n)"
            " WHERE s.created AND s.line > %s AND s.line <= %s",
            [now, after, last],
        )
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(Log._meta.db_table)}"
            " (id, key, result, user_id, user_ref, user_label, actor_id, actor_label,"
            " application_id, ip, user_agent, payload, created_at)"
            " SELECT s.log_id, %s, %s, s.new_id, s.new_id, s.user_label, %s, %s, %s, %s, %s,"
            f" s.payload, %s FROM {STAGE} s WHERE s.created AND s.line > %s AND s.line <= %s",
            [
                f"{origin.channel}.User.Create",
                Log.Result.SUCCESS,
                origin.actor.pk if origin.actor else None,
                origin.actor_label,
                origin.application_id,
                origin.ip,
                origin.user_agent,
                now,
                after,
                last,
            ],
        )
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE owner IS NOT NULL AND NOT conflict),"
            f" count(*) FILTER (WHERE conflict OR (owner IS NULL AND NOT created))"
            f" FROM {STAGE} s WHERE {where}",
            span,
        )
        existing_count, failed = cursor.fetchone()
        updated = 0
        if on_existing == UPDATE and existing_count:
            cursor.execute(
                f"SELECT line, owner, details, role_ids, organization_ids FROM {STAGE} s"
                f" WHERE {where} AND owner IS NOT NULL AND NOT conflict ORDER BY line",
                span,
            )
            existing = [
                (
                    CleanRow(
                        line=line,
                        identifiers={},
                        details=details if isinstance(details, dict) else json.loads(details),
                        roles=[known[pk] for pk in role_ids],
                        organizations=[known[pk] for pk in organization_ids],
                    ),
                    owner,
                )
                for line, owner, details, role_ids, organization_ids in cursor.fetchall()
            ]
            updated = transfer._update(existing, origin=origin)
    return [created, updated, existing_count - updated, failed + len(vanished)]


def run_import(
    open_file,
    fmt,
    *,
    origin: Origin,
    on_existing: str,
    skip_bad_rows: bool,
    batch_size: int,
    max_rows,
    progress,
    source: str,
    set_aside: bool = True,
) -> ImportReport:
    """`transfer.run_import` on PostgreSQL: one reading of the file (see the module's doc)."""
    try:
        report, known = stage_and_check(open_file, fmt, on_existing=on_existing, max_rows=max_rows)
        if progress:
            progress(0, report.valid)
        if not report.ok and not skip_bad_rows:
            return report
        report.ran = True
        write_staged(
            report,
            known,
            origin=origin,
            on_existing=on_existing,
            batch_size=batch_size,
            progress=progress,
            set_aside=set_aside,
        )
    finally:
        drop_stage()
    transfer.record_run(
        report,
        origin=origin,
        fmt=fmt,
        source=source,
        on_existing=on_existing,
        skip_bad_rows=skip_bad_rows,
    )
    return report
