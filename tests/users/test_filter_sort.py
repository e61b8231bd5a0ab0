"""Sorting the user list: name, email, created, latest sign-in, both directions; NULLs (and
empty names) last either way; ties broken by id, so offset pages never repeat or skip a row."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import UserFactory
from users import filters
from users.filters import facet_queryset, ordering
from users.search import search_users

pytestmark = pytest.mark.django_db


def listed(sort, search="", queryset=None, page_size=100, page=1):
    result = search_users(
        search, page=page, page_size=page_size, queryset=queryset, order=ordering(sort)
    )
    return [u.pk for u in result.users]


@pytest.fixture
def people(db):
    now = timezone.now()
    return {
        "ann": UserFactory(
            name="Ann", primary_email="zed@example.com", last_sign_in_at=now - timedelta(days=3)
        ),
        "bob": UserFactory(
            name="Bob", primary_email="amy@example.com", last_sign_in_at=now - timedelta(days=1)
        ),
        "nameless": UserFactory(name="", primary_email=None, last_sign_in_at=None),
        "cid": UserFactory(
            name="Cid", primary_email="kim@example.com", last_sign_in_at=now - timedelta(days=2)
        ),
    }


def test_by_name_ascending_and_descending_empty_names_last(people):
    p = people
    assert listed("name") == [p["ann"].pk, p["bob"].pk, p["cid"].pk, p["nameless"].pk]
    assert listed("-name") == [p["cid"].pk, p["bob"].pk, p["ann"].pk, p["nameless"].pk]


def test_by_email_nulls_last(people):
    p = people
    assert listed("email") == [p["bob"].pk, p["cid"].pk, p["ann"].pk, p["nameless"].pk]
    assert listed("-email") == [p["ann"].pk, p["cid"].pk, p["bob"].pk, p["nameless"].pk]


def test_by_latest_sign_in_never_signed_in_last(people):
    p = people
    assert listed("-last_sign_in") == [p["bob"].pk, p["cid"].pk, p["ann"].pk, p["nameless"].pk]
    assert listed("last_sign_in") == [p["ann"].pk, p["cid"].pk, p["bob"].pk, p["nameless"].pk]


def test_by_created_both_ways():
    now = timezone.now()
    old, new = UserFactory(created_at=now - timedelta(days=9)), UserFactory(created_at=now)
    assert listed("created") == [old.pk, new.pk]
    assert listed("-created") == [new.pk, old.pk]


def test_ties_are_broken_by_id_so_pages_neither_repeat_nor_skip():
    same = timezone.now() - timedelta(days=1)
    users = [UserFactory(name="Same", last_sign_in_at=same) for _ in range(7)]
    for sort in ("name", "-name", "last_sign_in", "-last_sign_in"):
        pages = [listed(sort, page_size=3, page=n) for n in (1, 2, 3)]
        flat = [pk for page in pages for pk in page]
        assert len(flat) == len(set(flat)) == 7
        expected = sorted(u.pk for u in users)
        assert flat == (expected[::-1] if sort.startswith("-") else expected)


def test_sort_applies_to_keyword_matches_and_facets(people):
    suspended = UserFactory(name="Ann Zed", is_suspended=True, last_sign_in_at=None)
    UserFactory(name="Ann Young", is_suspended=True, last_sign_in_at=timezone.now())
    facets = facet_queryset({"status": "suspended"})
    assert listed("name", search="ann", queryset=facets)[-1] == suspended.pk
    assert listed("-name", search="ann") == [
        suspended.pk,
        *listed("-name", search="ann young"),
        people["ann"].pk,
    ]


def test_no_sort_keeps_newest_first():
    now = timezone.now()
    old, new = UserFactory(created_at=now - timedelta(days=1)), UserFactory(created_at=now)
    assert ordering("") is None
    assert listed("") == [new.pk, old.pk]


@pytest.mark.parametrize("sort", ["age", "--name", "name;", "last_sign_in_at", "-"])
def test_an_unknown_sort_is_a_validation_error(sort):
    with pytest.raises(ValidationError) as raised:
        filters.parse({"sort": sort})
    assert "sort" in raised.value.error_dict
