"""A keyword search inside facets answers what a plain scan of both conditions answers.

The count and the newest-first walk (an index-only scan on PostgreSQL) both take the facet's
conditions; the inactive facet is spelled here as the filter bar describes it (no sign-in since
the cutoff, or never, by an account created before it). The cap is made small, so 1,500 users
give many hits, a few and none.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

import users.search
from users import filters
from users.models import User
from users.search import Total, parse_terms, search_users

pytestmark = pytest.mark.django_db
CAP = 40
PAGE = 25


def scan(search: str, days: int) -> list[str]:
    cutoff = timezone.now() - timedelta(days=days)
    inactive = Q(last_sign_in_at__lt=cutoff) | Q(last_sign_in_at__isnull=True)
    queryset = User.objects.filter(inactive, created_at__lt=cutoff)
    for term in parse_terms(search):
        queryset = queryset.filter(search_text__contains=term)
    return list(queryset.order_by("-created_at", "-id").values_list("id", flat=True))


@pytest.fixture
def seeded(monkeypatch):
    monkeypatch.setattr(users.search, "COUNT_CAP", CAP)
    monkeypatch.setattr(users.search, "SAMPLE_PAGES", 3)
    call_command("seed_demo", users=1_500, seed=7, skip_access=True, stdout=StringIO())


def test_keywords_with_the_inactive_facet_answer_as_the_scan_does(seeded):
    mismatches, counts = [], []
    for days in (30, 90, 400):
        facet = filters.facet_queryset(filters.parse({"inactive_days": str(days)}))
        for search in ("smith", "ann", "example", "james smith", "nosuchperson", "li"):
            expected = scan(search, days)
            counts.append(len(expected))
            pages = [
                search_users(search, page=n, page_size=PAGE, queryset=facet, cap_total=True)
                for n in (1, 2)
            ]
            answer = (
                pages[0].total,
                pages[0].total_kind,
                [u.id for u in pages[0].users],
                [u.id for u in pages[1].users] if pages[0].has_next else [],
            )
            wanted = (
                min(len(expected), CAP),
                Total.AT_LEAST if len(expected) > CAP else Total.EXACT,
                expected[:PAGE],
                expected[PAGE : 2 * PAGE] if len(expected) > PAGE else [],
            )
            if answer != wanted:
                mismatches.append((days, search, answer[:2], wanted[:2]))
    assert not mismatches
    assert max(counts) > CAP and 0 in counts and any(1 <= n <= CAP for n in counts)
