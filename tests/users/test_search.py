from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from users.search import COUNT_CAP, Total, parse_terms, search_users


def ids(page):
    return [u.id for u in page.users]


@pytest.fixture
def people(db):
    now = timezone.now()
    return {
        "ann": UserFactory(
            name="Ann Smith",
            username="annie",
            primary_email="ann@example.com",
            primary_phone="442079460958",
            created_at=now - timedelta(days=1),
        ),
        "bob": UserFactory(
            name="Bob Stone",
            username="bobby",
            primary_email="bob@corp.example",
            primary_phone="12025550143",
            created_at=now - timedelta(days=2),
        ),
        "cy": UserFactory(
            name="Cy Smithers",
            username="cy_s",
            primary_email="cy@example.org",
            primary_phone=None,
            created_at=now - timedelta(days=3),
        ),
    }


def test_no_search_lists_everyone_newest_first(people):
    page = search_users("")
    assert ids(page) == [people["ann"].id, people["bob"].id, people["cy"].id]
    assert (page.total, page.total_kind) == (3, Total.EXACT)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("stone", ["bob"]),  # name
        ("BOBBY", ["bob"]),  # username, any case
        ("corp.example", ["bob"]),  # email
        ("2079460958", ["ann"]),  # phone digits
        ("+4420", ["ann"]),  # phone with +
        ("+44 20 7946", ["ann"]),  # phone with spaces
        ("+1 (202) 555-0143", ["bob"]),  # phone as people write it
        ("smith", ["ann", "cy"]),  # substring of two names
    ],
)
def test_each_field_is_searched_case_insensitively_as_a_substring(people, search, expected):
    assert ids(search_users(search)) == [people[k].id for k in expected]


def test_a_user_is_found_by_part_of_their_id(people):
    assert people["cy"].id in ids(search_users(people["cy"].id[2:9]))


def test_every_word_must_match_some_field(people):
    assert ids(search_users("smith example.com")) == [people["ann"].id]
    assert ids(search_users("smith nobody")) == []


def test_a_search_without_hits_is_an_empty_exact_page(people):
    page = search_users("nosuchperson")
    assert page.users == [] and page.total == 0 and page.total_kind == Total.EXACT


@pytest.mark.parametrize("wildcard", ["%", "\\", "a%n", "n_n", "%%"])
def test_like_wildcards_are_taken_literally(people, wildcard):
    assert ids(search_users(wildcard)) == []


def test_a_literal_underscore_matches_only_underscores(people):
    assert ids(search_users("cy_")) == [people["cy"].id]


def test_terms_are_lower_cased_and_deduplicated():
    assert parse_terms("  Ann  ANN smith ") == ["ann", "smith"]
    assert parse_terms("+44 (20) 7946-0958") == ["+442079460958"]
    assert parse_terms("") == []


@pytest.mark.django_db
def test_pages_hold_page_size_rows_and_say_whether_more_follow():
    UserFactory.create_batch(45)
    first = search_users("", page=1, page_size=20)
    last = search_users("", page=3, page_size=20)
    assert len(first.users) == 20 and first.has_next and not first.has_previous
    assert len(last.users) == 5 and not last.has_next and last.has_previous
    assert (last.start_index, last.end_index, last.last_page) == (41, 45, 3)
    assert not set(ids(first)) & set(ids(last))


@pytest.mark.django_db
def test_a_page_beyond_the_last_shows_the_last_page():
    UserFactory.create_batch(3)
    page = search_users("", page=99, page_size=20)
    assert page.page == 1 and len(page.users) == 3


@pytest.mark.django_db
def test_page_links_show_the_ends_and_the_neighbourhood():
    UserFactory.create_batch(200)
    page = search_users("", page=5, page_size=20)
    assert page.page_links == [1, None, 3, 4, 5, 6, 7, None, 10]


@pytest.mark.django_db
def test_counting_stops_at_the_cap_and_says_so(monkeypatch):
    import users.search

    monkeypatch.setattr(users.search, "COUNT_CAP", 5)
    UserFactory.create_batch(8, name="Common Name")
    page = search_users("common", page_size=20)
    assert (page.total, page.total_kind) == (5, Total.AT_LEAST)
    assert len(page.users) == 8  # the page itself is not capped
    assert COUNT_CAP == 1000
