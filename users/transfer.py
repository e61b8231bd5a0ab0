"""Export and import of users: CSV and JSON Lines (docs/transfer.md).

**Export** streams the users a table URL selects (`users.filters.matching_users`) in id order over
`.iterator(chunk_size=...)`, so memory stays flat whatever the count. CSV cells that a spreadsheet
would run as a formula are prefixed with a quote (OWASP). Password digests are included only when
a superuser asks for them; every export writes one audit row (`User.Export`: format, columns,
row count, never the data) before the first byte leaves.

**Import** reads a file twice. The check (`check_import`) validates every row — identifier
formats, uniqueness in the file and against the database, JSON, roles and organizations by name,
digest formats — and keeps only line numbers and lowered identifiers, not the rows. The run
(`run_import`) re-reads the file and writes the rows that passed, in batches of `batch_size`, each
one transaction; rows whose identifiers or id belong to an existing user are skipped or updated
(`on_existing`), so a re-run does not duplicate anyone. Users are created the way
`users.services.create_user_with_details` does (the same normalisers and profile rules, an
unusable password unless a digest is imported) with one `User.Create` audit row each, plus one
`User.Import` row for the run.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.models import Log
from audit.recorder import Origin, _check_payload, _label, record
from users import profile_rules
from users.hashers import ImportedDigestError, encode_imported_digest, exported_digest
from users.ids import ID_ALPHABET
from users.models import Membership, Organization, Role, User, UserRole
from users.services import normalize_identifiers

CSV, JSONL = "csv", "jsonl"
FORMATS = {CSV: "CSV", JSONL: "JSON Lines"}
CONTENT_TYPES = {CSV: "text/csv; charset=utf-8", JSONL: "application/x-ndjson; charset=utf-8"}

# --- Columns -------------------------------------------------------------------------------------

# What an export may contain, in this order; `password_*` only for a superuser who asks.
COLUMNS = {
    "id": "ID",
    "username": "Username",
    "primary_email": "Email",
    "primary_phone": "Phone",
    "name": "Name",
    "avatar": "Avatar URL",
    "custom_data": "Custom data (JSON)",
    "profile": "Profile (JSON)",
    "roles": "Roles (names)",
    "organizations": "Organizations (names)",
    "is_suspended": "Suspended",
    "has_password": "Has a password",
    "created_at": "Created",
    "updated_at": "Updated",
    "last_sign_in_at": "Last sign-in",
}
PASSWORD_COLUMNS = ("password_digest", "password_algorithm")
DEFAULT_COLUMNS = (
    "id",
    "username",
    "primary_email",
    "primary_phone",
    "name",
    "roles",
    "organizations",
    "is_suspended",
    "created_at",
    "last_sign_in_at",
)
JSON_COLUMNS = {"custom_data", "profile"}
LIST_COLUMNS = {"roles", "organizations"}

# Columns an import reads; an export's other columns (updated_at, has_password) are accepted and
# ignored, so an export imports as it is. Logto's camelCase names are accepted too.
IMPORT_COLUMNS = {
    "id",
    "username",
    "primary_email",
    "primary_phone",
    "name",
    "avatar",
    "custom_data",
    "profile",
    "roles",
    "organizations",
    "is_suspended",
    "created_at",
    "last_sign_in_at",
    "password_digest",
    "password_algorithm",
}
IGNORED_COLUMNS = {"updated_at", "has_password"}
ALIASES = {
    "primaryEmail": "primary_email",
    "primaryPhone": "primary_phone",
    "customData": "custom_data",
    "passwordDigest": "password_digest",
    "passwordAlgorithm": "password_algorithm",
    "isSuspended": "is_suspended",
}
IDENTIFIERS = ("username", "primary_email", "primary_phone")
# The longest cell an import accepts (custom data's 32 KiB as JSON text, with room for escapes).
MAX_FIELD = 64 * 1024

# --- Formula injection (OWASP "CSV Injection") -----------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: one leading quote before a formula trigger.

    Values that already start with quotes before a trigger get one more, so `unescape_cell` can
    undo exactly what was added (`'=x` → `''=x` → `'=x`)."""
    if text.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


# --- Export ----------------------------------------------------------------------------------------


class ExportError(ValueError):
    pass


def export_columns(columns: Iterable[str], *, include_passwords: bool) -> list[str]:
    """The chosen columns in the fixed order; password columns last, only when asked for."""
    chosen = set(columns)
    unknown = chosen - set(COLUMNS)
    if unknown:
        raise ExportError(f"Unknown columns: {', '.join(sorted(unknown))}.")
    if not chosen:
        raise ExportError("Choose at least one column.")
    ordered = [c for c in COLUMNS if c in chosen]
    return ordered + list(PASSWORD_COLUMNS) if include_passwords else ordered


def record_export(queryset, *, origin: Origin, fmt: str, columns: list[str], filters: dict) -> int:
    """The one audit row of an export, written before it streams; returns the row count."""
    count = queryset.count()
    record(
        "User.Export",
        origin=origin,
        payload={
            "format": fmt,
            "columns": columns,
            "rowCount": count,
            "filters": filters,
            "includesPasswordHashes": PASSWORD_COLUMNS[0] in columns,
        },
    )
    return count


def export_rows(queryset, columns: list[str], *, chunk_size: int = 2000) -> Iterator[dict]:
    """Each user as {column: value} (Python values: str, bool, dict, list, datetime, None), in id
    order, `chunk_size` rows from the database at a time (plain values, not model instances: half
    the CPU), with each chunk's role and organization names in one query each."""
    fields = {c for c in columns if c not in DERIVED_COLUMNS} | {"id"}
    if {"has_password", *PASSWORD_COLUMNS} & set(columns):
        fields.add("password")
    rows = queryset.order_by("pk").values(*fields).iterator(chunk_size=chunk_size)
    for chunk in _batches(rows, chunk_size):
        ids = [row["id"] for row in chunk]
        roles = _names_by_user(UserRole, "role__name", ids) if "roles" in columns else {}
        orgs = (
            _names_by_user(Membership, "organization__name", ids)
            if "organizations" in columns
            else {}
        )
        for row in chunk:
            password = row.get("password") or ""
            digest = exported_digest(password) if PASSWORD_COLUMNS[0] in columns else (None, None)
            derived = {
                "roles": roles.get(row["id"], []),
                "organizations": orgs.get(row["id"], []),
                "has_password": bool(password) and is_password_usable(password),
                "password_digest": digest[0],
                "password_algorithm": digest[1],
            }
            yield {c: derived[c] if c in DERIVED_COLUMNS else row[c] for c in columns}


DERIVED_COLUMNS = {"roles", "organizations", "has_password", *PASSWORD_COLUMNS}


def _names_by_user(model, name_field: str, ids: list[str]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for user_id, name in model.objects.filter(user_id__in=ids).values_list("user_id", name_field):
        names.setdefault(user_id, []).append(name)
    return {user_id: sorted(found) for user_id, found in names.items()}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


class _Line:
    """csv.writer writes into this; the streamed response takes what it wrote."""

    def write(self, text):
        return text


def csv_lines(rows: Iterable[dict], columns: list[str]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([escape_cell(_text(row[c])) for c in columns])


def jsonl_lines(rows: Iterable[dict], columns: list[str]) -> Iterator[str]:
    for row in rows:
        values = {
            c: v.isoformat() if isinstance(v, datetime.datetime) else v for c, v in row.items()
        }
        yield json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n"


def export_lines(queryset, columns: list[str], fmt: str, *, chunk_size: int = 2000):
    """The file's text in pieces of up to 500 rows (one write to the client each, not one a row)."""
    rows = export_rows(queryset, columns, chunk_size=chunk_size)
    lines = csv_lines(rows, columns) if fmt == CSV else jsonl_lines(rows, columns)
    for piece in _batches(lines, 500):
        yield "".join(piece)


# --- Import: reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    field: str = ""


class FileError(ValueError):
    """The file as a whole cannot be read (no header, unknown columns, too many rows)."""


def detect_format(filename: str) -> str | None:
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return CSV
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return JSONL
    return None


def _decoded_lines(binary, bad_lines: dict[int, str]) -> Iterator[str]:
    """The file's physical lines as text; a line that is not UTF-8 is noted in `bad_lines`
    (decoded with replacement characters so parsing goes on and its row is refused)."""
    for number, raw in enumerate(binary, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            bad_lines[number] = f"Line {number} is not valid UTF-8 (byte {error.start + 1})."
            yield raw.decode("utf-8", errors="replace")


def read_rows(binary, fmt: str) -> Iterator[tuple[int, dict | None, list[RowError]]]:
    """(line, {column: text or JSON value}, errors) for each row of the file; `line` is where the
    row starts (1 is a CSV file's header). Raises FileError for a file that has no usable header."""
    bad_lines: dict[int, str] = {}
    lines = _decoded_lines(binary, bad_lines)
    if fmt == CSV:
        yield from _csv_rows(lines, bad_lines)
    else:
        yield from _jsonl_rows(lines, bad_lines)


def _column_name(name: str) -> str:
    name = name.strip()
    return ALIASES.get(name, name)


def _csv_rows(lines, bad_lines):
    # The csv module's limit is per process; nothing else here reads CSV (the default is 128 KiB).
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileError("The file is empty.") from None
    except csv.Error as error:
        raise FileError(f"Line 1: the header cannot be read ({error}).") from None
    if 1 in bad_lines:
        raise FileError(bad_lines[1])
    columns = [_column_name(c) for c in header]
    unknown = [c for c in columns if c not in IMPORT_COLUMNS | IGNORED_COLUMNS]
    if unknown:
        raise FileError(
            f"Line 1: unknown columns {', '.join(unknown)}. Known: {', '.join(sorted(IMPORT_COLUMNS))}."
        )
    if len(set(columns)) != len(columns):
        raise FileError("Line 1: a column is named twice.")
    if not set(columns) & set(IDENTIFIERS):
        raise FileError("Line 1: the file needs a username, primary_email or primary_phone column.")
    end = reader.line_num
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            end = reader.line_num
            message = str(error)
            if "field larger than field limit" in message:
                message = f"A cell is longer than {MAX_FIELD:,} characters."
            yield start, None, [RowError(start, message)]
            continue
        end = reader.line_num
        errors = [RowError(n, bad_lines[n]) for n in range(start, end + 1) if n in bad_lines]
        if not cells or cells == [""]:
            continue  # a blank line
        if errors:
            yield start, None, errors
            continue
        if len(cells) != len(columns):
            yield (
                start,
                None,
                [RowError(start, f"{len(cells)} cells for {len(columns)} columns.")],
            )
            continue
        yield start, {c: unescape_cell(v) for c, v in zip(columns, cells, strict=True)}, []


def _jsonl_rows(lines, bad_lines):
    for number, text in enumerate(lines, start=1):
        if number in bad_lines:
            yield number, None, [RowError(number, bad_lines[number])]
            continue
        if not text.strip():
            continue
        if len(text) > MAX_FIELD * 4:
            yield (
                number,
                None,
                [RowError(number, f"The line is longer than {MAX_FIELD * 4:,} characters.")],
            )
            continue
        try:
            value = json.loads(text, parse_constant=_not_finite)
        except (ValueError, RecursionError) as error:
            yield number, None, [RowError(number, f"Not valid JSON: {error}.")]
            continue
        if not isinstance(value, dict):
            yield number, None, [RowError(number, "Each line must be a JSON object.")]
            continue
        row = {_column_name(k): v for k, v in value.items()}
        unknown = [k for k in row if k not in IMPORT_COLUMNS | IGNORED_COLUMNS]
        if unknown:
            yield number, None, [RowError(number, f"Unknown fields: {', '.join(unknown)}.")]
            continue
        yield number, row, []


def _not_finite(name):
    raise ValueError(f"{name} is not a JSON number")


# --- Import: one row -------------------------------------------------------------------------------


@dataclass
class CleanRow:
    line: int
    identifiers: dict  # field -> normalised value or None
    details: dict  # name, avatar, custom_data, profile (those given)
    user_id: str | None = None
    password: str | None = None  # the stored (encoded) digest
    password_algorithm: str | None = None
    roles: list = field(default_factory=list)
    organizations: list = field(default_factory=list)
    is_suspended: bool = False
    created_at: datetime.datetime | None = None
    last_sign_in_at: datetime.datetime | None = None

    def match_keys(self) -> list[tuple[str, str]]:
        """What makes this row a person: its id and identifiers (lower-cased but phones)."""
        keys = [
            (f, v if f == "primary_phone" else v.lower()) for f, v in self.identifiers.items() if v
        ]
        if self.user_id:
            keys.append(("id", self.user_id))
        return keys


class Names:
    """Roles and organizations by name, each looked up once per import."""

    def __init__(self):
        self.roles: dict[str, Role | None | str] = {}
        self.organizations: dict[str, Organization | None | str] = {}

    def role(self, name: str):
        key = name.lower()
        if key not in self.roles:
            role = Role.objects.annotate(_n=Lower("name")).filter(_n=key).first()
            if role is not None and role.type != Role.Type.USER:
                role = (
                    f"“{name}” is a machine-to-machine role: only user roles can be given to users."
                )
            self.roles[key] = role
        return self.roles[key]

    def organization(self, name: str):
        if name not in self.organizations:
            found = list(Organization.objects.filter(name=name)[:2])
            self.organizations[name] = (
                found[0]
                if len(found) == 1
                else (f"Two organizations are called “{name}”." if found else None)
            )
        return self.organizations[name]


def _text_cell(raw, column, errors, line, limit=MAX_FIELD):
    value = raw.get(column)
    if value is None:
        return None
    if not isinstance(value, str):
        if column in IDENTIFIERS or column in ("id", "password_digest", "password_algorithm"):
            errors.append(RowError(line, "Must be text.", column))
            return None
        return value
    if len(value) > limit:
        errors.append(RowError(line, f"Longer than {limit:,} characters.", column))
        return None
    return value


def _names(value, column, errors, line) -> list[str]:
    if value in (None, "", "[]"):
        return []
    if isinstance(value, str):
        if value.lstrip().startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                errors.append(RowError(line, "Not a valid JSON list of names.", column))
                return []
        else:
            value = [part.strip() for part in value.split(";")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(RowError(line, "Give a list of names.", column))
        return []
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


def _named(raw: dict, column: str, find, noun: str, errors: list, line: int) -> list:
    """The roles or organizations a row names, each found by `find` (a name -> row, None when
    there is none, or a message when the name is ambiguous)."""
    found = []
    for name in _names(raw.get(column), column, errors, line):
        thing = find(name)
        if isinstance(thing, str):
            errors.append(RowError(line, thing, column))
        elif thing is None:
            errors.append(RowError(line, f"No {noun} is called “{name}”.", column))
        else:
            found.append(thing)
    return found


def _bool(value, column, errors, line) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    errors.append(RowError(line, "Use true or false.", column))
    return False


def _when(value, column, errors, line):
    if value in (None, ""):
        return None
    parsed = None
    if isinstance(value, str) and len(value) <= 64:
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        errors.append(RowError(line, "Use an ISO 8601 date and time.", column))
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def clean_row(line: int, raw: dict, names: Names) -> tuple[CleanRow | None, list[RowError]]:
    """A row as the services would store it, or its errors (all of them, each naming a field)."""
    errors: list[RowError] = []
    texts = {
        c: _text_cell(raw, c, errors, line)
        for c in (*IDENTIFIERS, "id", "password_digest", "password_algorithm", "name", "avatar")
    }
    try:
        identifiers = normalize_identifiers({f: texts[f] for f in IDENTIFIERS})
    except ValidationError as error:
        identifiers = {}
        for name, messages in error.message_dict.items():
            errors.extend(RowError(line, m, name) for m in messages)
    if not errors and not any(identifiers.values()):
        errors.append(
            RowError(line, "Give at least one of username, primary_email, primary_phone.")
        )
    user_id = (texts["id"] or "").strip() or None
    if user_id and (len(user_id) != 12 or any(c not in ID_ALPHABET for c in user_id)):
        errors.append(RowError(line, "An id is 12 lower-case letters and digits.", "id"))
    details = {}
    for column in ("name", "avatar", "custom_data", "profile"):
        value = raw.get(column)
        if column in ("name", "avatar"):
            value = texts[column]
        if value is None or (value == "" and column in ("custom_data", "profile")):
            continue
        if column == "profile" and isinstance(value, str):
            try:
                value = json.loads(value, parse_constant=_not_finite)
            except (ValueError, RecursionError):
                errors.append(RowError(line, "Profile is not valid JSON.", column))
                continue
        if column == "custom_data" and isinstance(value, str) and len(value) > MAX_FIELD:
            errors.append(RowError(line, f"Longer than {MAX_FIELD:,} characters.", column))
            continue
        details[column] = value
    # An empty object cleans to itself, and it is most rows' value: its cleaner is skipped.
    empty = {c for c in ("custom_data", "profile") if details.get(c) in ("{}", {})}
    try:
        cleaned = profile_rules.clean_profile_values(
            {c: v for c, v in details.items() if c not in empty}
        )
        details = {c: {} if c in empty else cleaned[c] for c in details}
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.extend(RowError(line, m, name) for m in messages)
    encoded = None
    digest, algorithm = texts["password_digest"], texts["password_algorithm"]
    if digest:
        if not algorithm:
            errors.append(
                RowError(
                    line, "A password_digest needs its password_algorithm.", "password_algorithm"
                )
            )
        else:
            try:
                encoded = encode_imported_digest(digest, algorithm.strip())
            except ImportedDigestError as error:
                errors.append(RowError(line, error.message, "password_digest"))
    roles = _named(raw, "roles", names.role, "role", errors, line)
    organizations = _named(raw, "organizations", names.organization, "organization", errors, line)
    is_suspended = _bool(raw.get("is_suspended"), "is_suspended", errors, line)
    created_at = _when(raw.get("created_at"), "created_at", errors, line)
    last_sign_in_at = _when(raw.get("last_sign_in_at"), "last_sign_in_at", errors, line)
    if errors:
        return None, errors
    return (
        CleanRow(
            line=line,
            identifiers=identifiers,
            details=details,
            user_id=user_id,
            password=encoded,
            password_algorithm=algorithm.strip() if encoded else None,
            roles=roles,
            organizations=organizations,
            is_suspended=is_suspended,
            created_at=created_at,
            last_sign_in_at=last_sign_in_at,
        ),
        [],
    )


# --- Import: the existing users a batch of rows names ----------------------------------------------


def existing_owners(rows: list[CleanRow]) -> dict[tuple[str, str], str]:
    """(field, value) -> the id of the user that holds it, for every key of these rows."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        for key, value in row.match_keys():
            wanted.setdefault(key, set()).add(value)
    owners = {}
    for key, values in wanted.items():
        values = list(values)
        for start in range(0, len(values), 1000):
            chunk = values[start : start + 1000]
            if key in ("id", "primary_phone"):
                column = "pk" if key == "id" else key
                found = User.objects.filter(**{f"{column}__in": chunk}).values_list(column, "pk")
            else:
                found = (
                    User.objects.annotate(_v=Lower(key))
                    .filter(_v__in=chunk)
                    .values_list("_v", "pk")
                )
            owners.update(((key, value), pk) for value, pk in found)
    return owners


def _owner(row: CleanRow, owners) -> tuple[str | None, RowError | None]:
    ids = {owners[k] for k in row.match_keys() if k in owners}
    if len(ids) > 1:
        return None, RowError(
            row.line, "Its identifiers belong to different existing users: fix the row."
        )
    return (ids.pop() if ids else None), None


# --- Import: check, then run ---------------------------------------------------------------------


SKIP, UPDATE = "skip", "update"
MAX_SHOWN_ERRORS = 1000


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    new: int = 0  # rows that would create a user (check) / created (run)
    existing: int = 0  # rows naming an existing user
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    bad_lines: set[int] = field(default_factory=set)
    ran: bool = False
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    rebuilt_indexes: int = 0  # PostgreSQL: indexes set aside for a large load, built after

    def add_errors(self, errors: list[RowError]):
        self.error_count += len(errors)
        self.bad_lines.update(e.line for e in errors)
        room = MAX_SHOWN_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    @property
    def rows_failed(self) -> int:
        return len(self.bad_lines)

    @property
    def ok(self) -> bool:
        return not self.bad_lines


class TooManyRows(FileError):
    pass


def _batches(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _clean_rows(binary, fmt, names, report: ImportReport | None, *, max_rows=None):
    """The cleaned rows of the file; errors go to `report` (when given)."""
    for line, raw, errors in read_rows(binary, fmt):
        if report is not None:
            report.rows += 1
            if max_rows is not None and report.rows > max_rows:
                raise TooManyRows(
                    f"The file has more than {max_rows:,} rows: import it with "
                    "`manage.py import_users FILE`."
                )
        if raw is not None:
            row, errors = clean_row(line, raw, names)
        if errors:
            if report is not None:
                report.add_errors(errors)
            continue
        yield row


def check_import(
    open_file: Callable, fmt: str, *, on_existing: str = SKIP, max_rows=None, batch_size=1000
) -> ImportReport:
    """Validate every row; write nothing. `open_file()` gives the file as binary lines."""
    if connection.vendor == "postgresql":
        from users import transfer_pg

        return transfer_pg.check_import(open_file, fmt, on_existing=on_existing, max_rows=max_rows)
    return check_rows(
        open_file, fmt, on_existing=on_existing, max_rows=max_rows, batch_size=batch_size
    )


def check_rows(open_file, fmt, *, on_existing=SKIP, max_rows=None, batch_size=1000) -> ImportReport:
    """The check through the ORM, batch by batch (SQLite's; PostgreSQL's gives the same report)."""
    report = ImportReport()
    names = Names()
    # Each id and identifier seen, as its 64-bit hash -> the first line: half the memory of the
    # (field, value) pairs themselves (~90 bytes a key). A false match needs a 64-bit collision
    # among a few million keys (odds below one in a million per file).
    seen: dict[int, int] = {}
    with open_file() as binary:
        rows = _clean_rows(binary, fmt, names, report, max_rows=max_rows)
        for batch in _batches(rows, batch_size):
            owners = existing_owners(batch)
            staff = set(
                User.objects.filter(pk__in=set(owners.values()), is_staff=True).values_list(
                    "pk", flat=True
                )
            )
            for row in batch:
                errors = []
                for key in row.match_keys():
                    first = seen.setdefault(hash(key), row.line)
                    if first != row.line:
                        errors.append(RowError(row.line, f"Same {key[0]} as line {first}.", key[0]))
                owner, error = _owner(row, owners)
                if error:
                    errors.append(error)
                elif owner and on_existing == UPDATE and owner in staff:
                    errors.append(
                        RowError(
                            row.line, "A console member's account is not changed by an import."
                        )
                    )
                if errors:
                    report.add_errors(errors)
                    continue
                report.valid += 1
                if owner:
                    report.existing += 1
                else:
                    report.new += 1
    return report


def run_import(
    open_file: Callable,
    fmt: str,
    *,
    origin: Origin,
    on_existing: str = SKIP,
    skip_bad_rows: bool = False,
    batch_size: int = 1000,
    max_rows=None,
    progress: Callable[[int, int], None] | None = None,
    source: str = "",
    set_aside: bool = True,
) -> ImportReport:
    """Check the file, then (when it passed, or bad rows are to be skipped) write it in batches.

    `progress(done, total)` is called once after the check (done 0) and after each batch.
    On PostgreSQL the file is read once, into a staging table (users/transfer_pg.py), and a
    large import into a small directory builds the secondary indexes after (`set_aside=False`:
    never)."""
    if connection.vendor == "postgresql":
        from users import transfer_pg

        return transfer_pg.run_import(
            open_file,
            fmt,
            origin=origin,
            on_existing=on_existing,
            skip_bad_rows=skip_bad_rows,
            batch_size=batch_size,
            max_rows=max_rows,
            progress=progress,
            source=source,
            set_aside=set_aside,
        )
    report = check_import(open_file, fmt, on_existing=on_existing, max_rows=max_rows)
    if progress:
        progress(0, report.valid)  # rows written so far, rows to write
    if not report.ok and not skip_bad_rows:
        return report
    report.ran = True
    write_checked(
        open_file,
        fmt,
        report,
        origin=origin,
        on_existing=on_existing,
        batch_size=batch_size,
        progress=progress,
    )
    record_run(
        report,
        origin=origin,
        fmt=fmt,
        source=source,
        on_existing=on_existing,
        skip_bad_rows=skip_bad_rows,
    )
    return report


def write_checked(
    open_file: Callable,
    fmt: str,
    report: ImportReport,
    *,
    origin: Origin,
    on_existing: str,
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
    after_line: int = 0,
    should_stop: Callable[[], bool] | None = None,
    on_batch: Callable[[int, list[int]], None] | None = None,
) -> bool:
    """Write the rows `check_import` passed (SQLite's second reading), after line `after_line`;
    False when `should_stop()` said so between two batches. `on_batch(last line, [created,
    updated, skipped, failed])` runs inside each batch's transaction."""
    names = Names()
    # The second reading cleans each row again (a role deleted since the check, a file changed on
    # disk): a row that fails now is reported as failed, never dropped in silence.
    late = ImportReport()
    checked_bad = set(report.bad_lines)
    with open_file() as binary:
        rows = (
            row
            for row in _clean_rows(binary, fmt, names, late)
            if row.line not in checked_bad and row.line > after_line
        )
        for batch in _batches(rows, batch_size):
            if should_stop and should_stop():
                return False
            before = [report.created, report.updated, report.skipped, report.error_count]
            late_before = len(late.bad_lines - checked_bad)
            with transaction.atomic():
                _write_batch(batch, report, origin=origin, on_existing=on_existing)
                if on_batch:
                    after = [report.created, report.updated, report.skipped, report.error_count]
                    counts = [b - a for a, b in zip(before, after, strict=True)]
                    counts[3] += len(late.bad_lines - checked_bad) - late_before
                    on_batch(batch[-1].line, counts)
            if progress:
                progress(len(batch), report.valid)
    report.add_errors([e for e in late.errors if e.line not in checked_bad])
    return True


def record_run(report: ImportReport, *, origin, fmt, source, on_existing, skip_bad_rows):
    """The one `User.Import` audit row that ends a run."""
    record(
        "User.Import",
        origin=origin,
        payload={
            "format": fmt,
            "source": source[:200],
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "skipped": report.skipped,
            "failed": report.rows_failed,
            "onExisting": on_existing,
            "skipBadRows": skip_bad_rows,
        },
    )


def random_ids(count: int, length: int) -> list[str]:
    """`count` ids like users.ids.generate_id's (the same alphabet, from the OS's random bytes),
    made ~20 times faster than a secrets.choice per character: bytes ≥ 252 are dropped so each
    of the 36 characters is equally likely."""
    ids = []
    while len(ids) < count:
        chars = [ID_ALPHABET[b % 36] for b in secrets.token_bytes(length * 2) if b < 252]
        if len(chars) >= length:
            ids.append("".join(chars[:length]))
    return ids


def record_each(action: str, *, origin: Origin, entries: list[tuple[User, dict]]) -> None:
    """audit.recorder.record() for many users in one INSERT: the same rows (key, result, user and
    its snapshot, actor, IP, payload checked for secrets the same way), inside the caller's
    transaction."""
    rows = []
    for (user, payload), log_id in zip(entries, random_ids(len(entries), 21), strict=True):
        _check_payload(payload)
        rows.append(
            Log(
                id=log_id,
                key=f"{origin.channel}.{action}",
                result=Log.Result.SUCCESS,
                user=user,
                user_ref=user.pk,
                user_label=_label(user),
                actor=origin.actor,
                actor_label=origin.actor_label,
                application_id=origin.application_id,
                ip=origin.ip,
                user_agent=origin.user_agent,
                payload=payload,
            )
        )
    Log.objects.bulk_create(rows)


def _new_user(row: CleanRow, user_id: str) -> User:
    user = User(id=user_id, **row.identifiers, **row.details, is_suspended=row.is_suspended)
    if row.password:
        user.password = row.password
        user.password_updated_at = timezone.now()
    else:
        user.set_unusable_password()
    if row.created_at:
        user.created_at = row.created_at
    user.last_sign_in_at = row.last_sign_in_at
    user.refresh_search_text()
    return user


def _write_batch(batch: list[CleanRow], report: ImportReport, *, origin: Origin, on_existing):
    try:
        with transaction.atomic():
            counts = _write(batch, origin=origin, on_existing=on_existing)
    except IntegrityError:
        # Someone took an identifier meanwhile: write this batch row by row, refusing those.
        counts = [0, 0, 0]
        for row in batch:
            try:
                with transaction.atomic():
                    one = _write([row], origin=origin, on_existing=on_existing)
            except IntegrityError:
                report.add_errors([RowError(row.line, "An identifier was taken meanwhile.")])
                continue
            counts = [a + b for a, b in zip(counts, one, strict=True)]
    report.created += counts[0]
    report.updated += counts[1]
    report.skipped += counts[2]


def _write(batch: list[CleanRow], *, origin: Origin, on_existing) -> list[int]:
    owners = existing_owners(batch)
    new, existing = [], []
    for row in batch:
        owner, error = _owner(row, owners)
        if error:
            raise IntegrityError(error.message)
        (existing if owner else new).append((row, owner))
    # Ids given to the constructors, so no model default draws them one character at a time.
    user_ids = iter(random_ids(len(new), 12))
    users = [_new_user(row, row.user_id or next(user_ids)) for row, _ in new]
    User.objects.bulk_create(users)
    created = list(zip((row for row, _ in new), users, strict=True))
    links = iter(random_ids(sum(len(r.roles) + len(r.organizations) for r, _ in created), 21))
    UserRole.objects.bulk_create(
        [UserRole(id=next(links), user=u, role=r) for row, u in created for r in row.roles]
    )
    Membership.objects.bulk_create(
        [
            Membership(id=next(links), user=u, organization=o)
            for row, u in created
            for o in row.organizations
        ]
    )
    record_each(
        "User.Create",
        origin=origin,
        entries=[
            (
                user,
                {
                    "username": user.username,
                    "primaryEmail": user.primary_email,
                    "primaryPhone": user.primary_phone,
                    "name": user.name,
                    "hasPassword": bool(row.password),
                    "passwordAlgorithm": row.password_algorithm,
                    "roles": [r.name for r in row.roles],
                    "organizations": [o.name for o in row.organizations],
                    "isSuspended": user.is_suspended,
                    "imported": True,
                },
            )
            for row, user in created
        ],
    )
    updated = 0
    if on_existing == UPDATE and existing:
        updated = _update(existing, origin=origin)
    skipped = len(existing) - updated
    return [len(users), updated, skipped]


def _update(existing: list[tuple[CleanRow, str]], *, origin: Origin) -> int:
    """Profile values the file gives, and the roles and organizations it lists (added, never
    removed); identifiers, password and suspension stay as they are. Console members are never
    changed (the check refused those rows; a user made staff since is skipped)."""
    locked = {
        u.pk: u
        for u in User.objects.select_for_update()
        .filter(pk__in=[pk for _, pk in existing])
        .order_by("pk")
    }
    have_roles = set(UserRole.objects.filter(user_id__in=locked).values_list("user_id", "role_id"))
    have_orgs = set(
        Membership.objects.filter(user_id__in=locked).values_list("user_id", "organization_id")
    )
    updated = 0
    for row, pk in existing:
        user = locked.get(pk)
        if user is None or user.is_staff:
            continue
        changes = {
            f: {"old": getattr(user, f), "new": v}
            for f, v in row.details.items()
            if getattr(user, f) != v
        }
        roles = [r for r in row.roles if (pk, r.pk) not in have_roles]
        organizations = [o for o in row.organizations if (pk, o.pk) not in have_orgs]
        if not (changes or roles or organizations):
            continue
        if changes:
            for f, change in changes.items():
                setattr(user, f, change["new"])
            user.save(update_fields=[*changes, "updated_at"])
        UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
        Membership.objects.bulk_create(
            [Membership(user=user, organization=o) for o in organizations]
        )
        record(
            "User.Import.Update",
            origin=origin,
            user=user,
            payload={
                "changes": changes,
                "addedRoles": [r.name for r in roles],
                "addedOrganizations": [o.name for o in organizations],
            },
        )
        updated += 1
    return updated


def bytes_opener(data: bytes) -> Callable:
    """`open_file` for content held in memory (an uploaded file)."""
    return lambda: io.BytesIO(data)


def path_opener(path) -> Callable:
    return lambda: open(path, "rb")  # noqa: SIM115 - the caller's `with` closes it


def filters_of(params) -> dict:
    """The table's parameters an export applied (for its audit row), without ours."""
    ours = {"format", "columns", "include_passwords", "csrfmiddlewaretoken", "page", "page_size"}
    return {
        k: params.getlist(k) if len(params.getlist(k)) > 1 else params.get(k)
        for k in params
        if k not in ours
    }
