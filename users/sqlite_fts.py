"""SQLite's keyword-search index: an FTS5 table of trigrams over users_user.search_text.

PostgreSQL indexes `search_text` with pg_trgm (migration 0002). SQLite ships FTS5 with a `trigram`
tokenizer (3.34+; Django 6 needs 3.37): a quoted phrase of three or more characters matches the
rows whose text holds it as a substring, answered from the index alone. `case_sensitive 1` makes
that compare exactly as PostgreSQL's LIKE does over the already lower-cased column; inside the
quotes `%`, `_`, `\\`, `*` are plain characters (a `"` is doubled).

The FTS table keeps its own copy of `search_text` under the user row's rowid (users_user has a
text primary key, so an implicit rowid), and three triggers keep it in step with every INSERT,
UPDATE and DELETE, whoever runs it (the ORM, bulk_create, raw SQL). So there is one FTS row per
user row. Deleting by rowid from a table that stores its own content cannot corrupt the index
(an external-content table would need the exact old text to delete).

Django rebuilds a SQLite table (new table, copy, drop, rename) for many schema changes; the
triggers go with the old table and the rowids are renumbered. `ensure()` runs after every
`migrate` and rebuilds the index when a trigger is missing.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError

TABLE = "users_user_fts"
USER_TABLE = "users_user"
CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(search_text, tokenize='trigram case_sensitive 1')"
)
TRIGGERS = {
    "users_user_fts_insert": f"""
        CREATE TRIGGER users_user_fts_insert AFTER INSERT ON {USER_TABLE} BEGIN
            INSERT INTO {TABLE}(rowid, search_text) VALUES (new.rowid, new.search_text);
        END""",
    # User.save() writes search_text on every save (a sign-in too): re-index only a change.
    "users_user_fts_update": f"""
        CREATE TRIGGER users_user_fts_update AFTER UPDATE OF search_text ON {USER_TABLE}
        WHEN old.search_text IS NOT new.search_text BEGIN
            DELETE FROM {TABLE} WHERE rowid = old.rowid;
            INSERT INTO {TABLE}(rowid, search_text) VALUES (new.rowid, new.search_text);
        END""",
    "users_user_fts_delete": f"""
        CREATE TRIGGER users_user_fts_delete AFTER DELETE ON {USER_TABLE} BEGIN
            DELETE FROM {TABLE} WHERE rowid = old.rowid;
        END""",
}

# Below this many characters a term has no trigram: the index cannot find it.
MIN_INDEXED_LENGTH = 3


def install(cursor):
    """Create the FTS table and its triggers, and index every user."""
    try:
        cursor.execute(CREATE_TABLE)
    except OperationalError as error:  # "no such module: fts5", "no such tokenizer: trigram"
        raise ImproperlyConfigured(
            f"Gatehouse's search needs SQLite with FTS5 and its trigram tokenizer ({error}); "
            "use a Python built with SQLite 3.37+ (FTS5 is on by default) or PostgreSQL."
        ) from error
    fill(cursor)
    create_triggers(cursor)


def uninstall(cursor):
    drop_triggers(cursor)
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


FILL = (
    # A new table: dropping a million rows one by one would cost as much as indexing them.
    f"DROP TABLE {TABLE}",
    CREATE_TABLE,
    f"INSERT INTO {TABLE}(rowid, search_text) SELECT rowid, search_text FROM {USER_TABLE}",
    # Merge the segments a bulk insert leaves into one b-tree: fewer pages to read per query.
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')",
)


def fill(cursor):
    """Index every user row from scratch (after a bulk load without the triggers)."""
    for sql in FILL:
        cursor.execute(sql)


def create_triggers(cursor):
    for sql in TRIGGERS.values():
        cursor.execute(sql)


def drop_triggers(cursor):
    for name in TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def is_installed(cursor) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
    return cursor.fetchone() is not None


def missing_triggers(cursor) -> set[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [USER_TABLE]
    )
    return set(TRIGGERS) - {name for (name,) in cursor.fetchall()}


def ensure(connection) -> bool:
    """Re-create lost triggers and re-index, if the FTS table exists; True if it had to."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        if not is_installed(cursor) or not missing_triggers(cursor):
            return False
        drop_triggers(cursor)
        fill(cursor)
        create_triggers(cursor)
    return True


# A keyword search mixing words: how common each is, read from the first rows (a fixed sample,
# ~1 ms at 1,000,000 users), so the lookup is driven by the rare ones.
SAMPLE_ROWS = 1000
COMMON_SHARE = 0.05


def indexable(term: str) -> bool:
    return len(term) >= MIN_INDEXED_LENGTH


def lookup_key(term: str) -> str:
    """What of `term` to look up: an email's local part with its "@" when it has 3+ characters.

    Every row holding the email holds that part; the domain's trigrams ("mai", "exa", "com")
    are in most rows and made a whole address a costly lookup. The full term is then checked on
    the rows found.
    """
    if "@" in term:
        local = term.rsplit("@", 1)[0] + "@"
        if len(local) > MIN_INDEXED_LENGTH:
            return local
    return term


def rare_terms(cursor, terms: list[str]) -> list[str]:
    """The terms held by at most COMMON_SHARE of a sample of rows; all of them if none is."""
    shares = ", ".join(["sum(instr(search_text, %s) > 0)"] * len(terms))
    cursor.execute(
        f"SELECT count(*), {shares} FROM"
        f" (SELECT search_text FROM {USER_TABLE} ORDER BY rowid LIMIT %s)",
        [*terms, SAMPLE_ROWS],
    )
    rows, *holding = cursor.fetchone()
    rare = [term for term, n in zip(terms, holding, strict=True) if (n or 0) <= rows * COMMON_SHARE]
    return rare or terms


def match_query(terms: list[str]) -> str:
    """An FTS5 query for rows holding every term: each term one quoted phrase."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def count_matches(cursor, terms: list[str], *, limit: int) -> int:
    """How many users hold every (indexable) term, counting no further than `limit`.

    One FTS row per user row: the count needs neither the user table nor the rows' text.
    """
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)",
        [match_query(terms), limit],
    )
    return cursor.fetchone()[0]
