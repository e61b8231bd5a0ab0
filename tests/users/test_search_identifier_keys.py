"""A whole identifier is looked up by a short part of it, and still answers as a plain scan does.

On PostgreSQL an email, id, phone or numbered username typed whole drives the trigram index by
the end of its last run of letters and digits (users.search._identifier_key): `les407@` for
`elena.morales407@example.org`. Other people share that part; they must not show, and anyone
whose identifier holds the whole term (a longer email, a name) must.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import UserFactory
from tests.users.test_search_strategies_match_scan import scan
from users.search import _identifier_key, search_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def lookalikes():
    """People whose identifiers end alike, and some that hold another's identifier whole."""
    now = timezone.now()
    people = [
        ("elena.morales407@example.org", "elena_morales407", "34627069719", "Elena Morales"),
        ("carlos.morales407@example.org", "carlos_morales407", "34699069719", "Carlos Morales"),
        ("zelena.morales407@example.org.uk", "zelena_morales407", "4434627069719", "Zelena M"),
        ("j.gonzales407@mail.example", "jgonzales407", "5511927069719", "Elena.Morales407"),
        ("notes@example.org", "helena_morales4070", None, "elena.morales407@example.org"),
    ]
    fields = ("primary_email", "username", "primary_phone", "name")
    users = [
        UserFactory(**dict(zip(fields, person, strict=True)), created_at=now - timedelta(minutes=i))
        for i, person in enumerate(people)
    ]
    UserFactory.create_batch(30)
    return users


def test_the_key_is_the_end_of_the_last_run_of_letters_and_digits():
    assert _identifier_key("elena.morales407@example.org") == "les407@"
    assert _identifier_key("elena_morales407") == "les407"
    assert _identifier_key("+34627069719") == "27069719"
    assert _identifier_key("034jc23rjlg4") == "3rjlg4"
    # Too little of it to be distinctive: the whole term (an email by its local part).
    assert _identifier_key("ann.li7@example.org") == "ann.li7@"


def test_every_whole_identifier_answers_as_the_scan_does(lookalikes):
    searches = []
    for user in lookalikes:
        searches += [user.primary_email, user.primary_email.upper(), user.username, user.id]
        if user.primary_phone:
            searches += [user.primary_phone, "+" + user.primary_phone]
    searches += ["elena.morales407@example.org", "+34 627 069 719", "27069719"]

    for search in searches:
        expected = scan(search)
        page = search_users(search)
        assert (page.total, [u.id for u in page.users]) == (len(expected), expected), search


def test_an_email_finds_a_longer_one_holding_it_and_a_name_spelling_it(lookalikes):
    elena, _, zelena, _, named_her_email = lookalikes

    found = search_users("elena.morales407@example.org")

    assert [u.id for u in found.users] == [elena.id, zelena.id, named_her_email.id]
    assert found.total == 3


def test_a_shared_key_does_not_bring_in_the_others(lookalikes):
    elena, carlos, *_ = lookalikes

    assert [u.id for u in search_users("carlos.morales407@example.org").users] == [carlos.id]
    assert [u.id for u in search_users("+34699069719").users] == [carlos.id]
    assert [u.id for u in search_users(elena.id).users] == [elena.id]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_an_exact_identifier_takes_two_round_trips(lookalikes, django_assert_num_queries):
    # The ids (with their planner settings in the same batch), then the page's rows.
    with django_assert_num_queries(2):
        found = search_users(lookalikes[1].primary_email)

    assert [u.id for u in found.users] == [lookalikes[1].id]
