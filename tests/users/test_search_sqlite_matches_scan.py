"""On SQLite, the FTS5 path finds exactly what a LIKE scan of search_text finds.

The scan is what PostgreSQL computes (its LIKE over the same lower-cased column, through pg_trgm),
so equal answers here and the golden list of test_search_golden.py on both databases (CI runs
it on each) make the two paths agree.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

import users.search
from tests.factories import UserFactory
from users.models import User
from users.search import Total, parse_terms, search_users

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="compares SQLite's two paths"),
]
CAP = 40  # small enough that common terms take the "many hits" plan among 1,500 users


def scan(search: str) -> list[str]:
    """Ids newest first of the users a LIKE over search_text finds: no FTS table involved."""
    queryset = User.objects.all()
    for term in parse_terms(search):
        queryset = queryset.filter(search_text__contains=term)
    return list(queryset.order_by("-created_at", "-id").values_list("id", flat=True))


def test_every_search_finds_what_the_scan_finds(monkeypatch):
    monkeypatch.setattr(users.search, "COUNT_CAP", CAP)
    call_command("seed_demo", users=1_500, seed=11, skip_access=True, stdout=StringIO())
    UserFactory(name='Zoë "Zed" O\'Brien', username="a_b%c", primary_email="back\\slash@ex.org")
    UserFactory(name="Star*Gazer [x]? Ånnå", username="q_q", primary_email="josé@example.net")
    sample = User.objects.filter(primary_email__isnull=False).order_by("id").first()

    searches = [
        *("smith", "ann", "son", "example", "mar", "li", "a", "é", "zz", "nosuchperson"),
        *("müller", "garcía", "josé", "jose", "o'brien", "ånnå", "ÅNNÅ", "SMITH", "Ann"),
        *("+44", "4474", "+1 (202)", "447", "_", "%", "a_b", "a%n", "n_n", "\\", "\\slash"),
        *("*", "?", "[x]", "star*", "r*g", '"zed"', '"', "zoë", "zo", ".com", "@ex"),
        *("smith ann", "ann li", "li ann smith", "example a", "ann nosuchperson", "li e"),
        *("james smith example", "smith example", "example.com smith", "mail example"),
        *("slash@ex.org", "back\\slash@", "h@ex", "@example.net", "josé@example.net"),
        sample.primary_email,
        sample.id,
        sample.id[3:9],
    ]
    mismatches = []
    for search in searches:
        expected = scan(search)
        found = set(
            users.search._filter_terms(User.objects.all(), parse_terms(search)).values_list(
                "id", flat=True
            )
        )
        page = search_users(search, page_size=100)
        kind = Total.AT_LEAST if len(expected) > CAP else Total.EXACT
        if (
            found != set(expected)
            or (page.total, page.total_kind) != (min(len(expected), CAP), kind)
            or [u.id for u in page.users] != expected[:100]
        ):
            mismatches.append((search, len(expected), len(found), page.total, page.total_kind))
    assert not mismatches
    # The searches were worth comparing: some find many, some few, some none.
    counts = [len(scan(s)) for s in searches]
    assert max(counts) > CAP and 0 in counts and any(0 < n <= CAP for n in counts)
