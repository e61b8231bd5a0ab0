"""The one user query: keyword search, order, pagination and an honest total.

Served to the console table and the Management API alike. The plan follows docs/performance.md:
keyword terms match one lower-cased `search_text` column (a pg_trgm GIN index on PostgreSQL, an
FTS5 trigram table on SQLite: `_fts_terms` picks by the connection's vendor), matches are
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

from django.db import DatabaseError, connection
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

    @property
    def has_previous(self):
        return self.page > 1

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
        return (self.page - 1) * self.page_size + 1 if self.users else 0

    @property
    def end_index(self):
        return self.start_index + len(self.users) - 1 if self.users else 0


def parse_terms(search: str) -> list[str]:
    """Split a keyword search into lower-cased terms that must all match.

    A query that reads as a phone number ("+44 20 7946 0958") becomes one term of its digits, so
    the spaces and dashes people type don't split it.
    """
    search = (search or "").strip()
    if not search:
        return []
    if _PHONE_QUERY_RE.match(search) and re.search(r"[\s().+-]", search):
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
) -> UserPage:
    """One page of users, newest first, matching every term of `search`."""
    terms = parse_terms(search)
    base = queryset if queryset is not None else User.objects.all()
    base = base.select_related("application")
    page = max(1, min(page, max_page(page_size)))

    newest_ids = None  # every match's id, newest first, when the count found them all
    if not terms:
        total, kind = _table_total(base, filtered=queryset is not None)
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
        page = min(page, last_page)
    offset = (page - 1) * page_size
    window = slice(offset, offset + page_size + 1)
    if newest_ids is not None:
        # The count already found every match (PostgreSQL, few hits): fetch this page's rows.
        ids = newest_ids[window]
        by_id = {user.pk: user for user in base.filter(pk__in=ids).order_by()}
        rows = [by_id[pk] for pk in ids if pk in by_id]
    elif offset and not terms:
        # A deeper page of the whole table: skip rows in the newest-first index alone (an
        # index-only scan), then fetch just this page's rows: ~10x cheaper at page 500.
        ids = ordered.values("pk")[window]
        rows = list(base.filter(pk__in=ids).order_by("-created_at", "-id"))
    elif kind == Total.AT_LEAST:
        # Walk the newest-first index, never scan and sort every match: the planner has no
        # statistics for the hidden column and guesses a long term rare (then sorting wins).
        with _planner_without("seqscan", "sort"):
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


def _filter_terms(queryset, terms, *, hide_from_text_index=False):
    """Rows whose search_text holds every term.

    `hide_from_text_index`: page 1 of many hits walks the newest-first index instead, so the text
    index must not drive the plan: PostgreSQL's LIKE then tests each row; SQLite tests each
    index entry's rowid against the FTS matches, before it reads the row.
    """
    indexed = _fts_terms(terms)
    if indexed:
        # SQLite's LIKE cannot use an index: terms of 3+ characters go through the FTS5 table,
        # shorter ones stay a LIKE over the rows it finds (or over the table, capped by the count).
        lookup = _InTrigramIndex(F("search_text"), indexed, drives=not hide_from_text_index)
        queryset = queryset.filter(lookup)
        terms = [term for term in terms if term not in indexed]
    column = "search_text"
    if hide_from_text_index and connection.vendor == "postgresql":
        queryset = queryset.alias(
            _search_text=Concat("search_text", Value(""), output_field=TextField())
        )
        column = "_search_text"
    for term in terms:
        queryset = queryset.filter(**{f"{column}__contains": term})
    return queryset


def _fts_terms(terms: list[str]) -> list[str]:
    """The terms to find through SQLite's FTS5 trigram table: the one place that picks it.

    None on PostgreSQL, whose trigram index serves the LIKE on the column itself.
    """
    if connection.vendor != "sqlite":
        return []
    return [term for term in terms if sqlite_fts.indexable(term)]


def _capped_count(matching, terms, *, filtered: bool) -> int:
    indexed = _fts_terms(terms)
    if indexed and indexed == terms and not filtered:
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


def _table_total(queryset, *, filtered: bool) -> tuple[int, str]:
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
        # A whole identifier (email, id, phone, numbered username) is rare: no sample needed.
        return _indexed_matches(base, terms, [terms[0]], drivers)
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
    """Plan the queries inside with these scan types switched off (PostgreSQL; else nothing)."""
    if connection.vendor != "postgresql":
        yield
        return
    settings = [f"enable_{scan}" for scan in scans]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"set_config('{name}', 'off', false)" for name in settings)
        )
    reset = "; ".join(f"RESET {name}" for name in settings)
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
