"""On SQLite, the FTS5 table looks up the part of a search that finds few rows.

A word most users hold ("example" in every address) is left out of the index lookup when a rarer
word drives it, and an email is looked up by its local part: both are then checked on the rows
found, so the answer is the same (test_search_sqlite_matches_scan.py compares every path).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from users import sqlite_fts
from users.search import search_users

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 lookup"),
]


def looked_up(search: str) -> tuple[list[str], set[str]]:
    """The ids found, and every FTS5 query the search ran."""
    with CaptureQueriesContext(connection) as captured:
        page = search_users(search)
    pattern = re.compile(rf"{sqlite_fts.TABLE} MATCH '((?:[^']|'')*)'")
    matches = {m for query in captured.captured_queries for m in pattern.findall(query["sql"])}
    return [user.id for user in page.users], matches


@pytest.fixture
def everyone_at_example():
    for number in range(60):
        UserFactory(username=f"member{number}", primary_email=f"member{number}@example.com")
    return UserFactory(name="Ada Quackenbush", primary_email="ada.q@example.com")


def test_a_word_most_users_hold_is_not_looked_up_beside_a_rare_one(everyone_at_example):
    ids, matches = looked_up("quackenbush example")

    assert ids == [everyone_at_example.id]
    assert matches and all("example" not in match for match in matches)
    assert any("quackenbush" in match for match in matches)


def test_words_that_are_all_common_are_all_looked_up(everyone_at_example):
    ids, matches = looked_up("member example")

    assert len(ids) == 20
    assert any("member" in match and "example" in match for match in matches)


def test_an_email_is_looked_up_by_its_local_part_and_checked_whole(everyone_at_example):
    UserFactory(primary_email="ada.q@elsewhere.org")

    ids, matches = looked_up("ada.q@example.com")

    assert ids == [everyone_at_example.id]
    assert all("example.com" not in match for match in matches)
    assert any("ada.q@" in match for match in matches)


def test_the_common_word_sample_reads_a_fixed_number_of_rows(everyone_at_example):
    with connection.cursor() as cursor:
        assert sqlite_fts.rare_terms(cursor, ["quackenbush", "example"]) == ["quackenbush"]
        assert sqlite_fts.rare_terms(cursor, ["member", "example"]) == ["member", "example"]
        assert sqlite_fts.rare_terms(cursor, ["nosuch", "absent"]) == ["nosuch", "absent"]
