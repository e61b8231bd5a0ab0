"""Keyset pages of the user table without keywords (users.keyset): every sort, both directions,
across ties (same name, same timestamp) and the NULLs run, alone and with facets; the same rows
in the same order as the offset pages before them; a tampered cursor is a 400."""

import re
from datetime import timedelta
from html import unescape
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from users import keyset
from users.filters import SORTS, facet_queryset, ordering
from users.search import search_users

pytestmark = pytest.mark.django_db

URL = "/console/users"
EVERY_SORT = ["", *SORTS]


@pytest.fixture
def crowd(db):
    """Ties everywhere: three people share a name, an email-less pair, three never signed in,
    four signed in at the same instant, two created at the same instant."""
    now = timezone.now()
    same_sign_in = now - timedelta(days=2)
    same_created = now - timedelta(days=5)
    specs = [
        ("Ann", "ann@example.com", same_sign_in, now - timedelta(days=1)),
        ("Ann", "ann2@example.com", same_sign_in, same_created),
        ("Ann", None, None, same_created),
        ("", "zed@example.com", same_sign_in, now - timedelta(days=7)),
        ("", None, None, now - timedelta(days=8)),
        ("Bob", "bob@example.com", same_sign_in, now - timedelta(days=9)),
        ("Cid", "cid@example.com", now - timedelta(days=1), now - timedelta(days=10)),
        ("Dee", "dee@example.com", None, now - timedelta(days=11)),
        ("Eve", "eve@example.com", now - timedelta(hours=1), now - timedelta(days=12)),
        ("Fay", "fay@example.com", now - timedelta(days=30), now - timedelta(days=13)),
    ]
    return [
        UserFactory(
            name=name,
            primary_email=email,
            username=None if email else f"nomail{n}",
            last_sign_in_at=signed_in,
            created_at=created,
            is_suspended=n % 2 == 0,
        )
        for n, (name, email, signed_in, created) in enumerate(specs)
    ]


def offset_order(sort, queryset=None):
    """The whole list in one offset page: the order the table had before keyset pages."""
    return [
        u.pk for u in search_users("", page_size=100, queryset=queryset, order=ordering(sort)).users
    ]


def walk_forward(sort, size, queryset=None):
    pages = [search_users("", page_size=size, queryset=queryset, order=ordering(sort))]
    while pages[-1].has_next:
        last = pages[-1]
        text = keyset.cursor_of(last.users[-1], sort, last.end_index, after=True)
        cursor = keyset.Cursor.decode(text, after=True, sort=sort)
        pages.append(
            search_users("", page_size=size, queryset=queryset, order=ordering(sort), cursor=cursor)
        )
    return pages


def walk_back(sort, size, last_page, queryset=None):
    pages = [last_page]
    while pages[-1].has_previous:
        first = pages[-1]
        text = keyset.cursor_of(first.users[0], sort, first.start_index, after=False)
        cursor = keyset.Cursor.decode(text, after=False, sort=sort)
        pages.append(
            search_users("", page_size=size, queryset=queryset, order=ordering(sort), cursor=cursor)
        )
    return pages[::-1]


@pytest.mark.parametrize("sort", EVERY_SORT)
@pytest.mark.parametrize("size", [1, 3, 4])
def test_next_pages_list_every_user_once_in_the_sorts_order(crowd, sort, size):
    pages = walk_forward(sort, size)
    assert [u.pk for page in pages for u in page.users] == offset_order(sort)
    assert [page.start_index for page in pages] == [1 + n * size for n in range(len(pages))]
    assert not pages[0].has_previous and all(page.has_previous for page in pages[1:])


@pytest.mark.parametrize("sort", EVERY_SORT)
@pytest.mark.parametrize("size", [1, 3, 4])
def test_previous_pages_from_the_last_give_the_same_pages_back(crowd, sort, size):
    forward = walk_forward(sort, size)
    back = walk_back(sort, size, forward[-1])
    as_ids = lambda pages: [[u.pk for u in page.users] for page in pages]  # noqa: E731
    # Reading back, the first page comes out full (the rest are the forward pages).
    assert as_ids(back)[1:] == as_ids(forward)[1:]
    assert as_ids(back)[0] == as_ids(forward)[0]
    assert [p.start_index for p in back] == [p.start_index for p in forward]


def test_ties_on_the_same_timestamp_are_broken_by_id_in_the_sorts_direction(crowd):
    same = {u.pk for u in crowd if u.name == "Ann" and u.last_sign_in_at}
    for sort in ("last_sign_in", "-last_sign_in", "name", "-name"):
        ids = [u.pk for page in walk_forward(sort, 1) for u in page.users]
        tied = [pk for pk in ids if pk in same]
        assert tied == (sorted(tied, reverse=sort.startswith("-")))


@pytest.mark.parametrize("sort", ["", "name", "-last_sign_in", "email", "-email"])
def test_facets_and_a_cursor_page_through_the_facets_users_only(crowd, sort):
    suspended = facet_queryset({"status": "suspended"})
    pages = walk_forward(sort, 2, queryset=suspended)
    ids = [u.pk for page in pages for u in page.users]
    assert ids == offset_order(sort, queryset=suspended)
    assert set(ids) == {u.pk for u in crowd if u.is_suspended}


def test_a_user_added_meanwhile_neither_shifts_nor_repeats_the_next_page(crowd):
    first = search_users("", page_size=3)
    text = keyset.cursor_of(first.users[-1], "", first.end_index, after=True)
    UserFactory(name="Newcomer")  # newest: it belongs before page 1, not on page 2
    cursor = keyset.Cursor.decode(text, after=True, sort="")
    second = search_users("", page_size=3, cursor=cursor)
    assert [u.pk for u in second.users] == offset_order("")[4:7]


# --- Through the console ---------------------------------------------------------------------


def links(body, rel):
    found = re.search(rf'<a href="([^"]+)"[^>]*rel="{rel}">', body)
    return unescape(found[1]) if found else None


def rows(body):
    return re.findall(r'<a class="user-cell" href="/console/users/(\w+)"', body)


@pytest.mark.parametrize("sort", ["", "name", "-email", "last_sign_in"])
@pytest.mark.parametrize("fragment", [False, True])
def test_next_and_previous_links_walk_the_table_and_back(admin_client, htmx, crowd, sort, fragment):
    headers = htmx if fragment else {}
    url = URL + (f"?sort={sort}&page_size=20" if sort else "?page_size=20")
    seen, bodies = [], []
    for _ in range(20):
        body = admin_client.get(URL + url[len(URL) :], headers=headers).content.decode()
        assert ("<html" in body) is not fragment
        bodies.append(body)
        seen += rows(body)
        nxt = links(body, "next")
        if nxt is None:
            break
        assert "after=" in nxt and "page=" not in nxt
        url = URL + nxt
    everyone = offset_order(sort)
    assert seen == everyone  # the admin is a user too: 11 in all, one page of 20
    assert len(bodies) == 1


def test_small_pages_through_the_console_with_positions(admin_client, htmx, crowd):
    # page_size is 20 at least in the console: 45 users (the admin too): read three pages.
    UserFactory.create_batch(34, name="Same Name")
    body = admin_client.get(URL, {"sort": "name"}, headers=htmx).content.decode()
    assert links(body, "prev") is None and "1–20" in body
    second = admin_client.get(URL + links(body, "next"), headers=htmx).content.decode()
    assert "21–40" in second
    third = admin_client.get(URL + links(second, "next"), headers=htmx).content.decode()
    assert "41–45" in third and links(third, "next") is None
    back = admin_client.get(URL + links(third, "prev"), headers=htmx).content.decode()
    assert rows(back) == rows(second) and "21–40" in back
    # The previous page of page 2 is page 1's own URL, without a cursor.
    assert links(second, "prev") == "?sort=name"
    assert rows(admin_client.get(URL + "?sort=name", headers=htmx).content.decode()) == rows(body)
    assert rows(body) + rows(second) + rows(third) == offset_order("name")


def test_an_old_page_number_url_still_works_and_links_on_by_cursor(admin_client, crowd):
    UserFactory.create_batch(30)
    body = admin_client.get(URL, {"page": 2}).content.decode()
    assert "21–40" in body
    assert rows(body) == offset_order("")[20:40]
    assert "before=" in links(body, "prev") or links(body, "prev") == "?"
    assert "after=" in links(body, "next")


def test_the_sort_headers_and_chips_drop_the_cursor(admin_client, htmx, crowd):
    UserFactory.create_batch(30, is_suspended=True)
    body = admin_client.get(URL, {"status": "suspended"}, headers=htmx).content.decode()
    nxt = links(body, "next")
    body = admin_client.get(URL + nxt, headers=htmx).content.decode()
    assert 'aria-label="Remove filter Status"' in body
    for href in re.findall(r'href="(/console/users\?[^"]*)"', body):
        assert "after=" not in href and "before=" not in href


@pytest.mark.parametrize("fragment", [False, True])
def test_a_tampered_cursor_is_a_400(admin_client, htmx, crowd, fragment):
    UserFactory.create_batch(25)
    headers = htmx if fragment else {}
    nxt = links(admin_client.get(URL, headers=htmx).content.decode(), "next")
    good = admin_client.get(URL + nxt, headers=headers)
    assert good.status_code == HTTPStatus.OK
    value = nxt.split("after=")[1]
    forged = value[:5] + ("A" if value[5] != "A" else "B") + value[6:]
    for query in (
        f"?after={forged}",
        "?after=nonsense",
        f"?before={value}",  # an "after" cursor passed as "before"
        f"?after={value}&sort=name",  # another sort's cursor
        "?after=" + "x" * 401,
    ):
        response = admin_client.get(URL + query, headers=headers)
        assert response.status_code == HTTPStatus.BAD_REQUEST, query
        assert 'class="error"' in response.content.decode()


def test_a_keyword_search_still_pages_by_number(admin_client, htmx):
    UserFactory.create_batch(25, name="Ann Smith")
    body = admin_client.get(URL, {"search": "ann"}, headers=htmx).content.decode()
    assert "?search=ann&amp;page=2" in body and "after=" not in body
