"""The one user query: keyword search, order, pagination and an honest total.

Served to the console table and the Management API alike. The plan follows docs/performance.md:
keyword terms match one lower-cased `search_text` column (a pg_trgm GIN index on PostgreSQL, an
FTS5 trigram table on SQLite: `_fts_keys` picks by the connection's vendor), matches are
counted only up to COUNT_CAP, and the plan for page 1 is chosen from that count.

On PostgreSQL the code, not the planner's statistics, picks how matches are counted
(`_pg_capped_matches`): a fixed sample of the table tells how common each term is; common terms
are counted by walking the table until the cap, the others through the trigram index alone (the
planner may not swap it for a scan), which also yields the ids of page 1 when there are few.
"""

import math
import re
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.db import DatabaseError, DataError, OperationalError, connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    F,
    Func,
    Lookup,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from users import sqlite_fts
from users.models import User

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 20
COUNT_CAP = 1000  # count matches exactly up to here; beyond it show "1,000+"
EXACT_TOTAL_LIMIT = 50_000  # an unfiltered table larger than this shows the planner's estimate
MAX_OFFSET = 10_000  # pages deeper than this are refused: narrow the search instead
MAX_TERMS = 8
MAX_TERM_LENGTH = 128
_PHONE_QUERY_RE = re.compile(r"^\+?[\d\s().-]*\d[\d\s().-]*\Z")


class Total:
    EXACT = "exact"
    AT_LEAST = "at_least"  # the count stopped at the cap
    ESTIMATE = "estimate"  # the planner's row estimate


@dataclass
class UserPage:
    users: list
    terms: list[str]
    page: int
    page_size: int
    total: int
    total_kind: str
    has_next: bool
    last_page: int | None = field(default=None)
    # A keyset page (users.keyset): its first row's position, and whether rows precede it.
    first_position: int | None = field(default=None)
    previous: bool | None = field(default=None)

    @property
    def has_previous(self):
        return self.page > 1 if self.previous is None else self.previous

    @property
    def page_links(self) -> list[int | None]:
        """Page numbers to link: the first, the last known, and two either side (None = gap)."""
        last = self.last_page
        if last is None:
            known = math.ceil(self.total / self.page_size)
            last = max(known, self.page + 1 if self.has_next else self.page)
        last = min(last, max_page(self.page_size))
        wanted = {1, last, *range(self.page - 2, self.page + 3)}
        links, previous = [], 0
        for number in sorted(n for n in wanted if 1 <= n <= last):
            if number - previous > 1:
                links.append(None)
            links.append(number)
            previous = number
        return links

    @property
    def start_index(self):
        if not self.users:
            return 0
        if self.first_position is not None:
            return self.first_position
        return (self.page - 1) * self.page_size + 1

    @property
    def end_index(self):
        return self.start_index + len(self.users) - 1 if self.users else 0


def parse_terms(search: str, *, phone: bool = True) -> list[str]:
    """Split a keyword search into lower-cased terms that must all match.

    A query that reads as a phone number ("+44 20 7946 0958") becomes one term of its digits, so
    the spaces and dashes people type don't split it (`phone=False`: lists without phones).
    """
    search = (search or "").strip()
    if not search:
        return []
    if phone and _PHONE_QUERY_RE.match(search) and re.search(r"[\s().+-]", search):
        digits = re.sub(r"\D", "", search)
        return [("+" if search.startswith("+") else "") + digits]
    terms = []
    for word in search.lower().split():
        if word not in terms:
            terms.append(word[:MAX_TERM_LENGTH])
    return terms[:MAX_TERMS]


def max_page(page_size: int) -> int:
    return MAX_OFFSET // page_size + 1


def search_users(
    search: str = "",
    *,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    queryset: QuerySet | None = None,
    clamp_page: bool = True,
    order: list | None = None,
    cap_total: bool = False,
    cursor=None,
) -> UserPage:
    """One page of users, newest first, matching every term of `search`.

    `clamp_page=False` (the API): a page past the end is empty instead of the last page.
    `order`: ORDER BY expressions instead of newest first (users.filters.ordering: a unique
    tie-break last). `cap_total`: a filtered `queryset` without keywords is counted up to
    COUNT_CAP too (facets), not exactly. `cursor` (a users.keyset.Cursor, no keywords): the
    page next to it in its sort, read from the sort's index instead of `page`.
    """
    terms = parse_terms(search)
    base = queryset if queryset is not None else User.objects.all()
    base = base.select_related("application")
    page = max(1, min(page, max_page(page_size)))

    newest_ids = None  # every match's id, newest first, when the count found them all
    if not terms:
        total, kind = _table_total(base, filtered=queryset is not None, capped=cap_total)
        if cursor is not None:
            return _keyset_page(base, cursor, page_size, total, kind)
        matching = base
        ordered = matching.order_by("-created_at", "-id")
    else:
        matching = _filter_terms(base, terms)
        found = _pg_capped_matches(base, terms) if connection.vendor == "postgresql" else None
        if found is not None:
            total, newest_ids = found
        else:
            total = _capped_count(matching, terms, filtered=queryset is not None)
        kind = Total.AT_LEAST if total > COUNT_CAP else Total.EXACT
        total = min(total, COUNT_CAP)
        if kind == Total.AT_LEAST:
            # Many hits: walk the newest-first index and test rows as we go, stopping after a page.
            ordered = _filter_terms(base, terms, hide_from_text_index=True).order_by(
                "-created_at", "-id"
            )
        else:
            # Few hits: fetch them through the text index and sort them; don't walk the table.
            ordered = matching.order_by(_unindexed("created_at").desc(), "-id")

    last_page = None
    if kind == Total.EXACT:
        last_page = max(1, math.ceil(total / page_size))
        if clamp_page:
            page = min(page, last_page)
    offset = (page - 1) * page_size
    window = slice(offset, offset + page_size + 1)
    if order is not None:
        # A chosen sort: the database orders the matches (the few found, or all of them).
        sorted_rows = base.filter(pk__in=newest_ids) if newest_ids is not None else matching
        rows = list(sorted_rows.order_by(*order)[window])
    elif newest_ids is not None:
        # The count already found every match (PostgreSQL, few hits): fetch this page's rows.
        ids = newest_ids[window]
        by_id = {user.pk: user for user in base.filter(pk__in=ids).order_by()}
        rows = [by_id[pk] for pk in ids if pk in by_id]
    elif offset and not terms:
        # A deeper page of the whole table: skip rows in the newest-first index alone (an
        # index-only scan), then fetch just this page's rows: ~10x cheaper at page 500.
        ids = ordered.values("pk")[window]
        rows = list(base.filter(pk__in=ids).order_by("-created_at", "-id"))
    elif kind == Total.AT_LEAST and terms:
        # Walk the newest-first index, never scan and sort every match: the planner has no
        # statistics for the hidden column and guesses a long term rare (then sorting wins).
        with _planner_without("seqscan", "sort"):
            if connection.vendor == "postgresql":
                # The walk yields ids only, an index-only scan of user_newest_first_text (0014):
                # ~1,400 heap fetches saved for page 1 of "smith" at 1 M users; then the page's
                # rows by primary key, in the same statement, put in order here.
                page_ids = ordered.values("pk")[window]
                found = base.filter(pk__in=page_ids).order_by()
                rows = sorted(found, key=lambda u: (u.created_at, u.pk), reverse=True)
            else:
                rows = list(ordered[window])
    else:
        rows = list(ordered[window])
    has_next = len(rows) > page_size
    return UserPage(
        users=rows[:page_size],
        terms=terms,
        page=page,
        page_size=page_size,
        total=total,
        total_kind=kind,
        has_next=has_next,
        last_page=last_page,
    )


def _keyset_page(base, cursor, page_size, total, kind) -> UserPage:
    from users import keyset

    found = keyset.read(base, cursor, page_size)
    return UserPage(
        users=found.rows,
        terms=[],
        page=1,
        page_size=page_size,
        total=total,
        total_kind=kind,
        has_next=found.has_next,
        first_position=found.first_position,
        previous=found.has_previous,
    )


def _filter_terms(queryset, terms, *, hide_from_text_index=False):
    """Rows whose search_text holds every term.

    `hide_from_text_index`: page 1 of many hits walks the newest-first index instead, so the text
    index must not drive the plan: PostgreSQL's LIKE then tests each row; SQLite tests each
    index entry's rowid against the FTS matches, before it reads the row.
    """
    keys = _fts_keys(terms)
    if keys:
        # SQLite's LIKE cannot use an index: the FTS5 table finds the rows holding each key; a
        # term it answers only in part (an email's local part, a common word left out), or too
        # short for it, stays a LIKE over the rows found (or over the table, capped by the count).
        lookup = _InTrigramIndex(
            F("search_text"), list(keys.values()), drives=not hide_from_text_index
        )
        queryset = queryset.filter(lookup)
        terms = [term for term in terms if keys.get(term) != term]
    column = "search_text"
    if hide_from_text_index and connection.vendor == "postgresql":
        queryset = queryset.alias(
            _search_text=Concat("search_text", Value(""), output_field=TextField())
        )
        column = "_search_text"
    for term in terms:
        queryset = queryset.filter(**{f"{column}__contains": term})
    return queryset


def _fts_keys(terms: list[str]) -> dict[str, str]:
    """What SQLite's FTS5 trigram table looks up for each term: the one place that picks it.

    {} on PostgreSQL, whose trigram index serves the LIKE on the column itself. A term maps to
    itself when the index answers it whole, or to a part of it (an email's local part) that finds
    every row holding it. A term most rows hold is left out when a rarer one drives the lookup:
    intersecting its posting lists cost ~45 ms at 1,000,000 users, a LIKE on the few rows found
    costs nothing (sqlite_fts.rare_terms).
    """
    if connection.vendor != "sqlite":
        return {}
    keys = {term: sqlite_fts.lookup_key(term) for term in terms if sqlite_fts.indexable(term)}
    if len(keys) > 1:
        with connection.cursor() as cursor:
            rare = sqlite_fts.rare_terms(cursor, list(keys))
        keys = {term: key for term, key in keys.items() if term in rare}
    return keys


def _capped_count(matching, terms, *, filtered: bool) -> int:
    keys = _fts_keys(terms)
    if terms and all(keys.get(term) == term for term in terms) and not filtered:
        # Every user row has its FTS row: count there, without visiting the users.
        with connection.cursor() as cursor:
            return sqlite_fts.count_matches(cursor, terms, limit=COUNT_CAP + 1)
    # No ORDER BY: the planner may stop at the cap by whichever path is cheapest (the trigram
    # index, or a scan that stops early for common and short terms).
    return matching.order_by().values("pk")[: COUNT_CAP + 1].count()


class _InTrigramIndex(Lookup):
    """`search_text` holds every one of the terms, found through SQLite's FTS5 trigram table."""

    lookup_name = "in_trigram_index"
    prepare_rhs = False

    def __init__(self, lhs, terms, *, drives=True):
        # drives=False writes `+rowid IN (...)`: not usable to look rows up, so the planner keeps
        # the ORDER BY's index and tests the rowid each entry carries.
        self.drives = drives
        super().__init__(lhs, terms)

    def as_sql(self, compiler, connection):
        # The FTS row has the user row's rowid; the alias follows the query (e.g. U0 in a subquery).
        alias = compiler.quote_name(self.lhs.alias)
        table = sqlite_fts.TABLE
        rowid = f"{alias}.rowid" if self.drives else f"+{alias}.rowid"
        sql = f"{rowid} IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)"
        return sql, [sqlite_fts.match_query(self.rhs)]


def _unindexed(name):
    # `created_at + 0 seconds` (`+created_at` on SQLite) sorts the same but cannot be read from
    # the index.
    if connection.vendor == "postgresql":
        from datetime import timedelta

        return F(name) + Value(timedelta(0))
    return Func(F(name), template="+%(expressions)s", output_field=DateTimeField())


def _table_total(queryset, *, filtered: bool, capped: bool = False) -> tuple[int, str]:
    if filtered and capped:
        found = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
        return (COUNT_CAP, Total.AT_LEAST) if found > COUNT_CAP else (found, Total.EXACT)
    if not filtered and connection.vendor == "postgresql":
        estimate = _planner_estimate(User._meta.db_table)
        if estimate >= EXACT_TOTAL_LIMIT:
            return estimate, Total.ESTIMATE
    return queryset.count(), Total.EXACT


def _planner_estimate(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else -1


# --- PostgreSQL: the count's plan is picked here, from a sample, not from ANALYZE's statistics.
SAMPLE_PAGES = 40  # the table's first pages (~1,000 rows): how common is each term?
COMMON_SHARE = 0.05  # a term in 5 %+ of the sample is counted by walking the table
_TRIGRAM_RE = re.compile(r"[a-z0-9]{3}")  # pg_trgm surely extracts a trigram from such a run
# An email with a local part, 7+ digits (a phone), or 8+ letters and digits mixed (an id, a
# numbered username): a term naming one user, not many.
_IDENTIFIER_RE = re.compile(
    r"[^@\s]*[a-z0-9]{3}[^@\s]*@[^@\s]+\Z|\+?\d{7,}\Z|(?=[a-z0-9_.-]*\d)(?=[a-z0-9_.-]*[a-z])[a-z0-9_.-]{8,}\Z"
)


def _pg_capped_matches(base, terms) -> tuple[int, list | None] | None:
    """Matches counted up to COUNT_CAP + 1, and their ids newest first when there are no more.

    None: no term can use the trigram index (all shorter than 3 letters): the generic path.
    1. A sample (the first SAMPLE_PAGES pages, a TID range scan: cost fixed by construction)
       counts the rows holding each term and all of them.
    2. All terms common in it (or 1,000+ hits there): walk the table from the sample on until
       the cap, a TID range scan with the text index out of reach (a few thousand rows).
    3. Otherwise the trigram index finds the rows, driven only by the terms that are rare in
       the sample (and by an email's local part: the domain's trigrams are in most rows); the
       planner may use nothing else (no sequential or index scan), whatever ANALYZE sampled.
    """
    drivers = {term: _index_key(term) for term in terms}
    drivers = {term: key for term, key in drivers.items() if key}
    if not drivers:
        return None
    with _text_index_only():  # each query below has one plan; the planner may not pick a scan
        return _pg_count(base, terms, drivers)


def _pg_count(base, terms, drivers):
    if len(terms) == 1 and _IDENTIFIER_RE.match(terms[0]) and drivers.get(terms[0]):
        # A whole identifier (email, id, phone, numbered username) is rare: no sample needed,
        # and a short part of it finds the few rows to check (_identifier_key).
        term = terms[0]
        return _indexed_matches(base, terms, [term], {term: _identifier_key(term)})
    sample = _sample(base, terms)
    if sample["all"] > COUNT_CAP:
        return sample["all"], None
    size = max(sample["rows"], 1)
    rare = [t for t in drivers if sample[t] / size < COMMON_SHARE]
    if not rare and sample["all"] / size >= COMMON_SHARE:
        total = sample["all"] + _walk_count(base, terms, limit=COUNT_CAP + 1 - sample["all"])
        if total > COUNT_CAP:
            return total, None
        # Fewer than the sample promised (a small table): find them through the index below.
    if not rare:  # every term common: drive by the least common
        rare = [min(drivers, key=lambda t: sample[t])]
    return _indexed_matches(base, terms, rare, drivers)


def _indexed_matches(base, terms, rare, drivers):
    """Rows found through the trigram index by the `rare` terms' keys, every term re-checked."""
    query = base
    for term in rare:
        query = query.filter(search_text__contains=drivers[term])
    query = _filter_terms(query, terms, hide_from_text_index=True)
    # The few found sorted newest first by the database, only ids sent: no 1,001 datetimes to load.
    inner, params = (
        query.order_by().values("pk", "created_at")[: COUNT_CAP + 1].query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT found.pk FROM ({inner}) found ORDER BY found.created_at DESC, found.pk DESC",
            params,
        )
        found = [pk for (pk,) in cursor.fetchall()]
    return len(found), (found if len(found) <= COUNT_CAP else None)


def _index_key(term: str) -> str:
    """What of `term` the trigram index should look up: "" when it yields no trigram.

    An email's local part with its "@": every row holding the email holds it, and the domain's
    trigrams (mail, example, gmail, com) are in most rows, which made a whole email a costly
    index read. The full term is still checked on every row found.
    """
    if "@" in term:
        local = term.rsplit("@", 1)[0]
        if _TRIGRAM_RE.search(local):
            return local + "@"
    return term if _TRIGRAM_RE.search(term) else ""


_ALNUM_RUN_RE = re.compile(r"[a-z0-9]+")
IDENTIFIER_KEY_LENGTH = 6  # letters (and digits) of an identifier the trigram index looks up
DIGITS_KEY_LENGTH = 8  # digits alone repeat more: a longer part of a phone number


def _identifier_key(term: str) -> str:
    """The end of a whole identifier's last run of letters and digits, for the trigram index.

    The index's cost grows with the trigrams it intersects, most of all the common ones a whole
    identifier brings (a name's "  m", " mo", "ale", "na "): `elena.morales407@example.org` read
    253 index buffers, its `les407@` 38. Six letters and digits (eight digits) are still rare
    enough to find a handful of rows, and every row found is checked against the whole term.
    """
    local = term.rsplit("@", 1)[0] if "@" in term else term
    runs = list(_ALNUM_RUN_RE.finditer(local))
    if not runs:
        return _index_key(term)
    run = runs[-1]
    length = DIGITS_KEY_LENGTH if run.group().isdigit() else IDENTIFIER_KEY_LENGTH
    if len(run.group()) < 4:
        return _index_key(term)
    key = run.group()[-length:]
    # An email's local part ending here: "@" after it adds the word-end trigram ("07 ").
    if "@" in term and run.end() == len(local):
        key += "@"
    return key


def _sample(base, terms) -> dict:
    hidden = _filter_terms(base, [], hide_from_text_index=True).filter(
        RawSQL(f"{_quoted_table()}.ctid < %s::tid", [f"({SAMPLE_PAGES},0)"], BooleanField())
    )
    counts = {"rows": Count("pk"), "all": Count("pk", filter=_holds_all(terms))}
    if len(terms) > 1:
        counts |= {term: Count("pk", filter=_holds_all([term])) for term in terms}
    aliases = {f"n{i}": counts[key] for i, key in enumerate(counts)}
    values = hidden.order_by().aggregate(**aliases)
    found = {key: values[f"n{i}"] or 0 for i, key in enumerate(counts)}
    return found if len(terms) > 1 else found | {terms[0]: found["all"]}


def _holds_all(terms) -> Q:
    return Q(*(Q(_search_text__contains=term) for term in terms))


def _walk_count(base, terms, *, limit: int) -> int:
    """Matches after the sample, up to `limit`: the table read in order, text index unused."""
    rest = _filter_terms(base, terms, hide_from_text_index=True).filter(
        RawSQL(f"{_quoted_table()}.ctid >= %s::tid", [f"({SAMPLE_PAGES},0)"], BooleanField())
    )
    return rest.order_by().values("pk")[:limit].count()


def _quoted_table() -> str:
    return connection.ops.quote_name(User._meta.db_table)


def _text_index_only():
    """The next query finds rows through the trigram index: no sequential scan, no B-tree walk."""
    return _planner_without("seqscan", "indexscan")


@contextmanager
def _planner_without(*scans):
    """Plan the queries inside with these scan types switched off (PostgreSQL; else nothing).

    Each query is sent as one batch `SELECT set_config(...); query; RESET ...`: one round trip
    instead of three, and a failed query cannot leave the settings behind (the batch's implicit
    transaction, or the enclosing one, rolls the SET back). Server-side binding cannot send a
    batch with parameters: there the settings are statements of their own around the block.
    """
    if connection.vendor != "postgresql":
        yield
        return
    settings = [f"enable_{scan}" for scan in scans]
    setup = "SELECT " + ", ".join(f"set_config('{name}', 'off', false)" for name in settings)
    reset = "; ".join(f"RESET {name}" for name in settings)
    if not connection.features.uses_server_side_binding:
        with connection.execute_wrapper(_BatchedSettings(setup, reset)):
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute(setup)
    try:
        yield
    except BaseException:
        # A failed statement may have aborted the transaction: its rollback undoes the SET, and
        # the RESET's own error must not hide the first one.
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(reset)
        raise
    with connection.cursor() as cursor:
        cursor.execute(reset)


class _BatchedSettings:
    """An execute wrapper: each query travels between its planner settings and their reset."""

    def __init__(self, setup, reset):
        self.setup, self.reset = setup, reset

    def __call__(self, execute, sql, params, many, context):
        result = execute(f"{self.setup};\n{sql};\n{self.reset}", params, many, context)
        context["cursor"].nextset()  # past set_config's row: the query's rows are read next
        return result


def split_planner_settings(sql: str) -> tuple[str, str, str]:
    """A logged query as (its planner settings, the query, their reset): what EXPLAIN replays.

    ("", sql, "") for a query sent on its own.
    """
    if not sql.startswith("SELECT set_config(") or ";\n" not in sql:
        return "", sql, ""
    setup, rest = sql.split(";\n", 1)
    query, reset = rest.rsplit(";\n", 1)
    return setup, query, reset


# --- Per-field search: the Management API's grammar (spec §5.2) -----------------------------
# `search`, `search.<field>`, `mode[.<field>]`, `joint`, `isCaseSensitive` become a FieldQuery;
# field_condition() turns it into one Q. A general `%keyword%` search in the default mode is the
# console's keyword search (same words, same users, same index), so the two doors agree.

USER_SEARCH_FIELDS = {
    "id": "id",
    "primary_email": "primary_email",
    "primary_phone": "primary_phone",
    "username": "username",
    "name": "name",
}
SEARCH_MODES = ("exact", "like", "similar_to", "posix")
MAX_PATTERN_LENGTH = 256
SEARCH_TIMEOUT_MS = 2_000  # bounds a posix / similar_to / like scan on PostgreSQL
_WILDCARD = r"[\s\S]"  # "any character", newlines included, in both PostgreSQL and Python


class InvalidSearch(ValueError):
    """A search the API refuses with 400 `request.invalid_input`."""


@dataclass(frozen=True)
class FieldGroup:
    fields: tuple[str, ...]  # model fields, OR-ed
    values: tuple[str, ...]
    mode: str


@dataclass(frozen=True)
class FieldQuery:
    groups: tuple[FieldGroup, ...] = ()
    joint: str = "or"
    case_sensitive: bool = False
    general: FieldGroup | None = None  # the `search=` group, also in `groups`

    def console_keyword(self) -> str | None:
        """The console keyword when the general group is `%words%` in like mode, ignoring case."""
        group = self.general
        if group is None or group.mode != "like" or self.case_sensitive or len(group.values) != 1:
            return None
        value = group.values[0]
        inner = value[1:-1]
        if len(value) < 3 or value[0] != "%" or value[-1] != "%" or not inner.strip():
            return None
        if any(c in inner for c in "%\\"):
            return None
        return inner


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def parse_field_query(params: list[tuple[str, str]], fields: dict[str, str]) -> FieldQuery:
    """Logto's search parameters (already unwrapped from `search_params[...]`) -> FieldQuery."""
    values: dict[str | None, list[str]] = {}
    modes: dict[str | None, str] = {}
    joint, case_sensitive = "or", False
    for key, value in params:
        head, _, rest = key.partition(".")
        if head == "search":
            field = _search_field(rest, fields) if rest else None
            if value == "":
                raise InvalidSearch(f"The value of {key} is empty.")
            values.setdefault(field, []).append(value)
        elif head == "mode":
            field = _search_field(rest, fields) if rest else None
            if value not in SEARCH_MODES:
                raise InvalidSearch(
                    f"Unknown search mode {value[:40]!r}: use {', '.join(SEARCH_MODES)}."
                )
            modes[field] = value
        elif key in ("joint", "jointMode"):
            if value not in ("or", "and"):
                raise InvalidSearch("joint must be or or and.")
            joint = value
        elif key == "isCaseSensitive":
            case_sensitive = value.strip().lower() in {"1", "true", "y", "yes", "yep", "yeah"}
    groups, general = [], None
    for field, field_values in values.items():
        mode = modes.get(field, modes.get(None, "like"))
        if mode != "exact" and len(field_values) > 1:
            raise InvalidSearch(f"Only exact mode takes several values (got {mode}).")
        if mode == "similar_to" and not case_sensitive:
            raise InvalidSearch("similar_to mode needs isCaseSensitive=true.")
        for value in field_values:
            _check_pattern(value, mode)
        columns = tuple(fields.values()) if field is None else (fields[field],)
        group = FieldGroup(columns, tuple(field_values), mode)
        groups.append(group)
        if field is None:
            general = group
    return FieldQuery(tuple(groups), joint, case_sensitive, general)


def _search_field(name: str, fields: dict[str, str]) -> str:
    if "." in name:
        raise InvalidSearch(f"Nested search fields are not supported: {name[:60]!r}.")
    snake = _camel_to_snake(name)
    if snake not in fields:
        raise InvalidSearch(f"Unknown search field {name[:60]!r}: use {', '.join(fields)}.")
    return snake


def _check_pattern(value: str, mode: str) -> None:
    if len(value) > MAX_PATTERN_LENGTH:
        raise InvalidSearch(f"Search values are at most {MAX_PATTERN_LENGTH} characters.")
    if "\x00" in value:
        raise InvalidSearch("Search values cannot contain NUL characters.")
    if mode == "posix":
        try:
            re.compile(value)
        except (re.error, RecursionError, OverflowError) as error:
            raise InvalidSearch(f"Invalid regular expression: {error}.") from None


def _wildcards_to_regex(pattern: str, keep: str = "") -> str:
    """% any run, _ any character, backslash escapes; the characters in `keep` keep their regex
    meaning, every other one matches itself."""
    out, chars = [], iter(pattern)
    for char in chars:
        if char == "\\":
            out.append(re.escape(next(chars, "\\")))
        elif char == "%":
            out.append(_WILDCARD + "*")
        elif char == "_":
            out.append(_WILDCARD)
        elif char in keep:
            out.append(char)
        else:
            out.append(re.escape(char))
    return "".join(out)


def like_to_regex(pattern: str) -> str:
    """A LIKE pattern (% any run, _ any character, backslash escapes) as an anchored regex."""
    return "^" + _wildcards_to_regex(pattern) + "$"


def similar_to_regex(pattern: str) -> str:
    """SQL SIMILAR TO as a regex: % and _ are wildcards, | * + ? {} () [] keep their meaning."""
    regex = "^(?:" + _wildcards_to_regex(pattern, keep="|*+?{}()[]") + ")$"
    try:
        re.compile(regex)
    except re.error as error:
        raise InvalidSearch(f"Invalid similar_to pattern: {error}.") from None
    return regex


def _group_condition(group: FieldGroup, case_sensitive: bool) -> Q:
    condition = Q()
    for column in group.fields:
        for value in group.values:
            if group.mode == "exact":
                lookup = {column: value} if case_sensitive else {f"{column}__iexact": value}
            else:
                regex = {
                    "like": like_to_regex,
                    "similar_to": similar_to_regex,
                    "posix": lambda v: v,
                }[group.mode](value)
                suffix = "regex" if case_sensitive else "iregex"
                lookup = {f"{column}__{suffix}": regex}
            condition |= Q(**lookup)
    return condition


def field_condition(query: FieldQuery, *, skip_general: bool = False) -> Q:
    """One Q for the whole query: each group parenthesised, groups joined by `joint`."""
    parts = [
        _group_condition(g, query.case_sensitive)
        for g in query.groups
        if not (skip_general and g is query.general)
    ]
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined & part) if query.joint == "and" else (combined | part)
    return combined


def api_search_users(
    query: FieldQuery,
    *,
    page: int,
    page_size: int,
    queryset: QuerySet | None = None,
    order: list | None = None,
    cap_total: bool = False,
) -> UserPage:
    """The Management API's GET /api/users: the console's keyword search for `%words%`, the
    per-field conditions for the rest; evaluated under a statement timeout on PostgreSQL."""
    keyword = query.console_keyword()
    others = [g for g in query.groups if g is not query.general]
    if keyword is not None and (query.joint == "and" or not others):
        condition = field_condition(query, skip_general=True)
        if queryset is not None or others:
            queryset = (queryset if queryset is not None else User.objects.all()).filter(condition)
        run = lambda: search_users(  # noqa: E731
            keyword,
            page=page,
            page_size=page_size,
            queryset=queryset,
            clamp_page=False,
            order=order,
            cap_total=cap_total,
        )
        if not others:
            return run()  # the console's own query: its cost is bounded by design, no timeout
    else:
        base = queryset
        if query.groups:
            base = (base if base is not None else User.objects.all()).filter(field_condition(query))
        # No condition at all: the whole table, whose total past EXACT_TOTAL_LIMIT is the
        # planner's estimate (as the console's), not a count(*) of every row.
        run = lambda: search_users(  # noqa: E731
            "",
            page=page,
            page_size=page_size,
            queryset=base,
            clamp_page=False,
            order=order,
            cap_total=cap_total and not query.groups,
        )
    return bounded(run)


def bounded(run, timeout_ms: int = SEARCH_TIMEOUT_MS):
    """Run a query with a statement timeout (PostgreSQL); a bad or too costly pattern is an
    InvalidSearch, never a 500."""
    if connection.vendor != "postgresql":
        try:
            return run()
        except OperationalError as error:  # a REGEXP the database could not run
            raise InvalidSearch(f"The search could not run: {error}.") from None
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
            return run()
    except DataError as error:
        raise InvalidSearch(f"Invalid search pattern: {str(error).splitlines()[0]}.") from None
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", "") == "57014":  # query_canceled
            raise InvalidSearch("The search took too long: use a more selective pattern.") from None
        raise
