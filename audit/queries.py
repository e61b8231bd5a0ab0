"""Reading the audit log: filters, keyset pages for the console, offset pages for the API.

Every read is newest first on (created_at, id), which the indexes of audit.Log serve directly: a
user's page is one range scan of `log_user_newest_first`, everyone's of `log_newest_first`. The
console pages by keyset ("older than this row"), so page 50,000 costs what page 1 costs; the
Management API pages by offset as Logto's does, with its optional count cap (spec §5.1, §6.16).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import F, Q, QuerySet, Value

from audit.keys import LOGTO_AUDIT_PREFIXES, title
from audit.models import Log

PAGE_SIZE = 20
FEW_MATCHES = 2_000  # a user's entries of an event: below this, sort them rather than walk
API_DEFAULT_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100
API_COUNT_CAP = 10_000  # `enableCap=true`: count up to here, then report 10001 (spec §5.1)
NEWEST_FIRST = ("-created_at", "-id")
OLDEST_FIRST = ("created_at", "id")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR_RE = re.compile(r"\A(\d{1,18})\.([0-9A-Za-z_-]{1,21})\Z")
_TRUTHY = {"1", "true", "y", "yes", "yep", "yeah"}  # Logto's boolean query flags (spec §1)


@dataclass(frozen=True)
class LogFilter:
    """What to show. Empty values mean "any"; `key` ending in ".*" is a prefix group."""

    user_id: str = ""
    actor_id: str = ""  # who acted (a console admin); served by the index `log_actor_newest_first`
    application_id: str = ""
    key: str = ""
    result: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # inclusive
    logto_keys_only: bool = False  # only the keys Logto's GET /api/logs returns
    group_keys: tuple[str, ...] | None = None  # a group's keys, once looked up (resolved())

    def resolved(self) -> "LogFilter":
        """This filter with its event group's keys looked up, to apply it more than once."""
        if not self.key.endswith(".*") or self.group_keys is not None:
            return self
        prefix = self.key[:-1]
        return replace(self, group_keys=tuple(k for k in distinct_keys() if k.startswith(prefix)))

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.user_id:
            queryset = queryset.filter(user_ref=self.user_id)
        if self.actor_id:
            queryset = queryset.filter(actor_id=self.actor_id)
        if self.application_id:
            queryset = queryset.filter(application_id=self.application_id)
        if self.key.endswith(".*"):
            # The group's keys, so the (user_ref, key) and key indexes can find them: a LIKE
            # could only be checked row by row.
            queryset = queryset.filter(key__in=self.resolved().group_keys)
        elif self.key:
            queryset = queryset.filter(key=self.key)
        if self.result:
            queryset = queryset.filter(result=self.result)
        if self.since is not None:
            queryset = queryset.filter(created_at__gte=self.since)
        if self.until is not None:
            queryset = queryset.filter(created_at__lte=self.until)
        if self.logto_keys_only:
            logto = Q()
            for prefix in LOGTO_AUDIT_PREFIXES:
                logto |= Q(key__startswith=prefix)
            queryset = queryset.filter(logto)
        return queryset


def distinct_keys() -> list[str]:
    """Every key in the log, read by skipping through the key index (one probe per distinct key,
    a few dozen in all) rather than by scanning the rows."""
    table = connection.ops.quote_name(Log._meta.db_table)
    key = connection.ops.quote_name("key")
    sql = f"""
        WITH RECURSIVE found(k) AS (
            SELECT MIN({key}) FROM {table}
            UNION ALL
            SELECT (SELECT MIN({key}) FROM {table} WHERE {key} > found.k)
            FROM found WHERE found.k IS NOT NULL
        )
        SELECT k FROM found WHERE k IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def logs(log_filter: LogFilter | None = None) -> QuerySet:
    """The matching rows, newest first."""
    return (log_filter or LogFilter()).apply(Log.objects.all()).order_by(*NEWEST_FIRST)


# --- Keyset pages (the console) -------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in the newest-first order: a row's (created_at, id), written into links."""

    created_at: datetime
    id: str

    @classmethod
    def of(cls, log: Log) -> "Cursor":
        return cls(log.created_at, log.id)

    def encode(self) -> str:
        micros = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.id}"

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        """Parse a cursor from a URL; ValueError for anything we did not write."""
        match = _CURSOR_RE.match(text or "")
        if not match:
            raise ValueError("Not a log cursor.")
        try:
            created_at = _EPOCH + timedelta(microseconds=int(match[1]))
        except OverflowError:
            raise ValueError("Not a log cursor.") from None
        return cls(created_at, match[2])

    def older(self, *, inclusive: bool = False) -> Q:
        """Rows after this one in newest-first order (and this one, if inclusive). The plain
        `created_at <=` bound lets the database start its index scan at the cursor instead of
        filtering from the top."""
        id_bound = Q(id__lte=self.id) if inclusive else Q(id__lt=self.id)
        return Q(created_at__lte=self.created_at) & (Q(created_at__lt=self.created_at) | id_bound)

    def newer(self, *, inclusive: bool = False) -> Q:
        id_bound = Q(id__gte=self.id) if inclusive else Q(id__gt=self.id)
        return Q(created_at__gte=self.created_at) & (Q(created_at__gt=self.created_at) | id_bound)


@dataclass
class LogPage:
    logs: list = field(default_factory=list)
    has_newer: bool = False
    has_older: bool = False

    @property
    def newer_cursor(self) -> str:
        return Cursor.of(self.logs[0]).encode() if self.logs and self.has_newer else ""

    @property
    def older_cursor(self) -> str:
        return Cursor.of(self.logs[-1]).encode() if self.logs and self.has_older else ""


def keyset_page(
    log_filter: LogFilter | None = None,
    *,
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> LogPage:
    """One page newest first: the newest rows, or those just older than `before`, or those just
    newer than `after`. Each costs one index range scan (plus one probe for the other direction),
    however deep the page."""
    if before is not None and after is not None:
        raise ValueError("Give `before` or `after`, not both.")
    log_filter = (log_filter or LogFilter()).resolved()
    matching = log_filter.apply(Log.objects.all())
    newest_first, oldest_first = NEWEST_FIRST, OLDEST_FIRST
    if log_filter.user_id and log_filter.key:
        # Walking a busy user's newest entries for an event they rarely had reads most of them
        # (and the planner, thinking users and events independent, may walk the event's instead).
        # Count their entries of the event in the (user_ref, key) index first, as far as
        # FEW_MATCHES: none means an empty page; a few are fetched through that index and sorted.
        found = (
            LogFilter(
                user_id=log_filter.user_id, key=log_filter.key, group_keys=log_filter.group_keys
            )
            .apply(Log.objects.order_by())  # unordered: an index-only scan of (user_ref, key)
            .values("key")[:FEW_MATCHES]
            .count()
        )
        if not found:
            return LogPage([])
        if found < FEW_MATCHES:
            newest_first, oldest_first = _sorted_not_walked()
    if after is not None:
        rows = list(matching.filter(after.newer()).order_by(*oldest_first)[: size + 1])
        if len(rows) > size:
            rows = rows[:size][::-1]
            has_older = matching.filter(after.older(inclusive=True)).exists()
            return LogPage(rows, has_newer=True, has_older=has_older)
        before = None  # reached the newest rows: show the first page, full
    if before is not None:
        rows = list(matching.filter(before.older()).order_by(*newest_first)[: size + 1])
        has_newer = matching.filter(before.newer(inclusive=True)).exists()
    else:
        rows = list(matching.order_by(*newest_first)[: size + 1])
        has_newer = False
    return LogPage(rows[:size], has_newer=has_newer, has_older=len(rows) > size)


def _sorted_not_walked():
    """The newest-first order written so that no index can supply it: `created_at + 0 seconds`
    sorts the same, so the database fetches the few matches by their best index and sorts them."""
    if connection.vendor != "postgresql":
        return NEWEST_FIRST, OLDEST_FIRST
    shifted = F("created_at") + Value(timedelta(0))
    return (shifted.desc(), F("id").desc()), (shifted.asc(), F("id").asc())


def get_log(log_id: str, *, user_id: str | None = None) -> Log | None:
    """One row by id (only if it is about this user, when given), or None."""
    rows = Log.objects.filter(pk=log_id)
    if user_id is not None:
        rows = rows.filter(user_ref=user_id)
    return rows.first()


def application_names(application_ids: Iterable[str]) -> dict[str, str]:
    """Names of the applications with these ids, in one query (audit does not import users)."""
    from oauth2_provider.models import get_application_model

    ids = {a for a in application_ids if a}
    if not ids:
        return {}
    return dict(get_application_model().objects.filter(pk__in=ids).values_list("pk", "name"))


_ACTOR_KINDS = {"Console": "Admin", "ManagementApi": "API client", "System": "System"}


def actor_kind(log: Log) -> str:
    """Who acted, in a word: an admin, an API client, the system, or the end user themselves."""
    channel = log.key.split(".", 1)[0]
    return _ACTOR_KINDS.get(channel, "End user" if log.user_ref else "")


def for_display(rows: list[Log]) -> list[Log]:
    """Set `title` (the key's human title), `actor_kind` and `application_name` ("" when the
    application is gone or there is none) on each row: one query for the whole page."""
    names = application_names(row.application_id for row in rows)
    for row in rows:
        row.title = title(row.key)
        row.actor_kind = actor_kind(row)
        row.application_name = names.get(row.application_id, "")
    return rows


# --- Offset pages (the Management API, spec §5.1 and §6.16) ---------------------------------


class InvalidLogQuery(ValueError):
    """A query the API refuses with 400; `code` is Logto's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ApiLogPage:
    logs: list
    page: int
    page_size: int
    total: int  # what goes into `Total-Number`
    capped: bool  # `Total-Number-Is-Capped: true`; omit the last/next links

    @property
    def last_page(self) -> int | None:
        if self.capped:
            return None
        return max(1, -(-self.total // self.page_size))


def parse_flag(value) -> bool:
    """Logto's truthy query flags: 1, true, y, yes, yep, yeah (any case); anything else is false."""
    return str(value or "").strip().lower() in _TRUTHY


def api_log_page(
    *,
    user_id: str = "",
    application_id: str = "",
    log_key: str = "",
    start_time=None,
    end_time=None,
    page=1,
    page_size=API_DEFAULT_PAGE_SIZE,
    enable_cap=False,
    include_admin_actions: bool = False,
) -> ApiLogPage:
    """GET /api/logs: raw query values in, a page and its total out; InvalidLogQuery for 400s.

    Like Logto, only end-user audit keys are listed unless `include_admin_actions` (our Console.*
    and ManagementApi.* rows sit outside Logto's prefixes, spec §11.16).
    """
    page = _positive_int(page, default=1)
    page_size = _positive_int(page_size, default=API_DEFAULT_PAGE_SIZE)
    if page_size > API_MAX_PAGE_SIZE:
        raise InvalidLogQuery("guard.invalid_pagination", "page_size must be at most 100.")
    since = _epoch_ms(start_time, "start_time")
    until = _epoch_ms(end_time, "end_time")
    if since is not None and until is not None and since > until:
        raise InvalidLogQuery("log.invalid_time_window", "start_time must not be after end_time.")
    log_filter = LogFilter(
        user_id=user_id or "",
        application_id=application_id or "",
        key=(log_key or "").removesuffix(".*"),  # the API's logKey is always exact
        since=since,
        until=until,
        logto_keys_only=not include_admin_actions,
    )
    matching = logs(log_filter)
    capped = False
    if enable_cap if isinstance(enable_cap, bool) else parse_flag(enable_cap):
        total = matching.order_by().values("pk")[: API_COUNT_CAP + 1].count()
        capped = total > API_COUNT_CAP
    else:
        total = matching.count()
    offset = (page - 1) * page_size
    rows = list(matching[offset : offset + page_size])
    return ApiLogPage(rows, page=page, page_size=page_size, total=total, capped=capped)


def _positive_int(value, *, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidLogQuery(
            "guard.invalid_pagination", "page and page_size must be numbers."
        ) from None
    if number < 1:
        raise InvalidLogQuery("guard.invalid_pagination", "page and page_size must be above 0.")
    return number


def _epoch_ms(value, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return _EPOCH + timedelta(milliseconds=int(value))
    except (TypeError, ValueError, OverflowError):
        raise InvalidLogQuery(
            "guard.invalid_input", f"{name} must be epoch milliseconds."
        ) from None
