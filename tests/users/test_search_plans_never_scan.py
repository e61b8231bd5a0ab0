"""On PostgreSQL no search of a 3+ letter word reads users_user sequentially, whatever ANALYZE saw.

A small table is the planner's strongest case for a sequential scan (a few pages), and its
statistics are whatever the last ANALYZE sampled: if the planner still chose, it would scan here.
Each query search_users runs is explained in order, with the settings it ran under.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from users.search import search_users, split_planner_settings

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]


def plans_of(search: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        search_users(search)
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            setup, sql, reset = split_planner_settings(query["sql"])
            if sql.startswith(("SELECT set_config(", "RESET ")):
                cursor.execute(sql)  # the settings the next query was planned under
                continue
            if setup:
                cursor.execute(setup)  # sent in one batch with the query
            cursor.execute("EXPLAIN " + sql)
            plans.append(sql + "\n" + "\n".join(row[0] for row in cursor.fetchall()))
            if reset:
                cursor.execute(reset)
    return plans


@pytest.mark.parametrize(
    "search",
    [
        "smith",
        "ann",
        "example",
        "mail.example",
        "quackenbush",
        "nosuchperson",
        "james smith",
        "smith example com",
        "+44 7400",
        "ann li",
    ],
)
def test_no_search_plan_scans_the_user_table(search):
    call_command("seed_demo", users=400, seed=3, skip_access=True, stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE users_user")
    user = search_users("").users[0]

    for words in (search, user.primary_email or user.id, user.id):
        plans = plans_of(words)
        # Except fetching a page's rows by their ids: nothing to misjudge (a tiny table is read
        # whole, a big one by its primary key).
        searching = [p for p in plans if '"users_user"."id" IN (' not in p.split("\n", 1)[0]]
        assert searching and not [p for p in searching if "Seq Scan on users_user" in p], plans


def test_the_planner_settings_are_restored_after_a_search():
    UserFactory(name="Ann Smith")
    search_users("smith")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')"
        )
        assert cursor.fetchone() == ("on", "on")


def test_with_server_side_binding_the_settings_are_statements_of_their_own(monkeypatch):
    # Such a cursor cannot send a batch with parameters: set, query, reset one by one instead.
    ann = UserFactory(name="Ann Smith")
    monkeypatch.setattr(connection.features, "uses_server_side_binding", True)

    with CaptureQueriesContext(connection) as queries:
        found = search_users("smith")

    assert [u.id for u in found.users] == [ann.id]
    sent = [query["sql"] for query in queries.captured_queries]
    assert sent[0].startswith("SELECT set_config(") and ";\n" not in sent[0]
    assert any(sql.startswith("RESET ") for sql in sent)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        assert cursor.fetchone() == ("on",)
