"""Keyset pages of the user table without keywords (the whole table, or facets), in any sort.

A page link carries a cursor: the boundary row's sort value and id, which way to read from it
("after": the rows that follow it in the sort, "before": those that precede it) and the row's
position (for "21–40"). Each page is then one range scan of the sort's index that starts at the
cursor, however deep the page: no OFFSET, nothing skipped is read.

Cursors are signed (django.core.signing): a link we did not write, or one whose sort differs from
the URL's, is refused (the view answers 400). The order is users.filters.ordering's: NULLs (and
empty names) last in both directions, ties broken by id in the sort's direction. The NULLs form
their own run at the end, read by id, so a page crossing into them costs a second query.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import F, Q, QuerySet

from users.filters import sort_expression

_SALT = "users.keyset"


class BadCursor(ValueError):
    """A cursor we did not write (tampered, truncated, signed with another key)."""


@dataclass(frozen=True)
class Cursor:
    sort: str  # users.filters' sort key, "" for newest first
    value: object  # the boundary row's sort value (None: the row is in the NULLs run)
    id: str
    position: int  # the boundary row's 1-based position in the whole ordered list
    after: bool  # True: the rows after the boundary; False: the rows before it

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        payload = [self.sort, value, self.id, self.position]
        return signing.dumps(payload, salt=_SALT + (".after" if self.after else ".before"))

    @classmethod
    def decode(cls, text: str, *, after: bool, sort: str) -> "Cursor":
        """The cursor of a link, for the URL's sort; BadCursor for anything else."""
        salt = _SALT + (".after" if after else ".before")
        try:
            found_sort, value, pk, position = signing.loads(text, salt=salt)
        except (signing.BadSignature, ValueError, TypeError):
            raise BadCursor(
                "This page link is not valid: start again from the first page."
            ) from None
        if found_sort != sort:
            raise BadCursor("This page link is for another sort: start again from the first page.")
        if value is not None and _field(sort) in ("created", "last_sign_in"):
            value = datetime.fromisoformat(value)
        return cls(sort, value, pk, position, after)


def cursor_of(user, sort: str, position: int, *, after: bool) -> str:
    """The encoded cursor of a row shown at `position`, to read on `after` (or before) it."""
    field = _field(sort)
    value = {
        "name": user.name or None,
        "email": user.primary_email,
        "created": user.created_at,
        "last_sign_in": user.last_sign_in_at,
    }[field]
    return Cursor(sort, value, user.pk, position, after).encode()


@dataclass
class Slice:
    rows: list
    has_previous: bool
    has_next: bool
    first_position: int  # the first row's position (1 for the first page)


def read(queryset: QuerySet, cursor: Cursor, size: int) -> Slice:
    """The page of `size` rows next to the cursor; a "before" page that reaches the start is
    the first page, full (as if no cursor had been given)."""
    if cursor.after:
        rows = _walk(queryset, cursor, size + 1, forward=True)
        return Slice(rows[:size], True, len(rows) > size, cursor.position + 1)
    rows = _walk(queryset, cursor, size + 1, forward=False)
    if len(rows) <= size:
        first = list(queryset.order_by(*_order(cursor.sort, forward=True))[: size + 1])
        return Slice(first[:size], False, len(first) > size, 1)
    rows = rows[:size][::-1]
    return Slice(rows, True, True, max(2, cursor.position - size))


def _walk(queryset, cursor, limit, *, forward):
    """Up to `limit` rows next to the cursor, nearest first: one index range scan, and a
    second for the NULLs run when the first runs out on its way there (or from it)."""
    field = _field(cursor.sort)
    descending = cursor.sort.startswith("-") or cursor.sort == ""
    key = sort_expression(field)
    keyed = queryset.alias(_sort_key=key)
    # Reading on in the sort's direction, values grow when ascending; reading back, they shrink.
    growing = forward != descending
    ids_up = growing  # ties by id go the sort's way
    order = _order(cursor.sort, forward=forward)
    nullable = field != "created"
    if cursor.value is None:
        # The cursor is in the NULLs run (the list's end): ids on from it, then (reading back)
        # the non-NULL values from the last one.
        id_after = Q(id__gt=cursor.id) if ids_up else Q(id__lt=cursor.id)
        # The same ORDER BY as the index, not just the id: the scan stays in index order.
        nulls = keyed.filter(_sort_key__isnull=True).filter(id_after).order_by(*order)
        rows = list(nulls[:limit])
        if not forward and len(rows) < limit:
            rest = keyed.filter(_sort_key__isnull=False).order_by(*order)
            rows += list(rest[: limit - len(rows)])
        return rows
    op = "gte" if growing else "lte"
    strictly = "gt" if growing else "lt"
    beyond = Q(**{f"_sort_key__{op}": cursor.value}) & (
        Q(**{f"_sort_key__{strictly}": cursor.value}) | Q(**{f"id__{strictly}": cursor.id})
    )
    rows = list(keyed.filter(beyond).order_by(*order)[:limit])
    if forward and nullable and len(rows) < limit:
        nulls = keyed.filter(_sort_key__isnull=True).order_by(*order)
        rows += list(nulls[: limit - len(rows)])
    return rows


def _order(sort: str, *, forward: bool) -> list:
    """ORDER BY of the sort (forward), or its exact reverse: read the same index backwards."""
    field = _field(sort)
    descending = sort.startswith("-") or sort == ""
    key = sort_expression(field)
    if field == "created":
        way = descending == forward
        return [key.desc(), F("id").desc()] if way else [key.asc(), F("id").asc()]
    if forward:
        if descending:
            return [key.desc(nulls_last=True), F("id").desc()]
        return [key.asc(nulls_last=True), F("id").asc()]
    if descending:
        return [key.asc(nulls_first=True), F("id").asc()]
    return [key.desc(nulls_first=True), F("id").desc()]


def _field(sort: str) -> str:
    return sort.lstrip("-") or "created"
