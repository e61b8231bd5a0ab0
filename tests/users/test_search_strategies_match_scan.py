"""Whichever way search_users counts and fetches, it answers what a plain LIKE scan answers.

On PostgreSQL the code picks the strategy per search (users.search._pg_capped_matches): a sample
of the table's first pages, then a walk for common terms or the trigram index driven by the rare
terms (an email by its local part). Here the cap and the sample are made small, so 1,500 users
take every branch, and each answer (total, kind, pages 1 and 2) is compared with the scan. Inside
the inactive facet too: its count and its newest-first walk (an index-only scan) take the facet.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

import users.search
from tests.factories import UserFactory
from users import filters
from users.identifiers import format_phone
from users.models import User
from users.search import Total, parse_terms, search_users

pytestmark = pytest.mark.django_db
CAP = 40
PAGE = 25


def scan(search: str, queryset=None) -> list[str]:
    """Ids newest first of the users whose search_text holds every term: no index involved."""
    queryset = User.objects.all() if queryset is None else queryset
    for term in parse_terms(search):
        queryset = queryset.filter(search_text__contains=term)
    return list(queryset.order_by("-created_at", "-id").values_list("id", flat=True))


def answer_and_wanted(search: str, expected: list[str], **options) -> tuple[tuple, tuple]:
    """search_users' total, kind, pages 1 and 2 beside what the scan's ids make of them."""
    first, second = (search_users(search, page=n, page_size=PAGE, **options) for n in (1, 2))
    answer = (
        first.total,
        first.total_kind,
        [u.id for u in first.users],
        [u.id for u in second.users] if first.has_next else [],
    )
    wanted = (
        min(len(expected), CAP),
        Total.AT_LEAST if len(expected) > CAP else Total.EXACT,
        expected[:PAGE],
        expected[PAGE : 2 * PAGE] if len(expected) > PAGE else [],
    )
    return answer, wanted


@pytest.fixture
def seeded(monkeypatch):
    monkeypatch.setattr(users.search, "COUNT_CAP", CAP)
    monkeypatch.setattr(users.search, "SAMPLE_PAGES", 3)  # a part of the table, not all of it
    call_command("seed_demo", users=1_500, seed=7, skip_access=True, stdout=StringIO())
    # An email inside another one: the exact one must still find both.
    UserFactory(primary_email="ann.lee77@mail.example", name="Ann Lee")
    UserFactory(primary_email="joann.lee77@mail.example.org", name="Jo Ann Lee")
    people = User.objects.exclude(primary_email=None).exclude(primary_phone=None)
    return people.exclude(username=None).order_by("id")[:3]


def test_every_search_answers_as_the_scan_does(seeded):
    identifiers = []
    for user in seeded:
        identifiers += [user.primary_email, user.primary_email.upper(), user.username, user.id]
        identifiers += [user.primary_phone, format_phone(user.primary_phone)]
        identifiers += [user.primary_email.split("@")[0] + "@", "x" + user.primary_email]
    searches = [
        *identifiers,
        *("ann.lee77@mail.example", "joann.lee77@mail.example.org", "lee77@mail"),
        *("smith", "ann", "example", "mail.example", "@example.com", "com", "li", "e"),
        *("quackenbush", "nosuchperson", "zz", "_", "%", "a_b", "@", "@@", "5@"),
        *("james smith", "smith example", "ann example com", "li ann", "e example"),
        *("mail.example ann", "example nosuchperson", "+44", "+1 (202)", "447"),
    ]
    mismatches = []
    for search in searches:
        answer, wanted = answer_and_wanted(search, scan(search))
        if answer != wanted:
            mismatches.append((search, answer[:2], wanted[:2]))
    assert not mismatches
    # The searches were worth comparing: many hits, a few, exactly one, none.
    counts = [len(scan(s)) for s in searches]
    assert max(counts) > CAP and 0 in counts and 1 in counts and any(1 < n <= CAP for n in counts)


def test_keywords_inside_the_inactive_facet_answer_as_the_scan_does(seeded):
    mismatches, counts = [], []
    for days in (30, 90, 400):
        cutoff = timezone.now() - timedelta(days=days)
        # The facet as the filter bar words it: no sign-in since the cutoff (or never), by an
        # account created before it.
        inactive = Q(last_sign_in_at__lt=cutoff) | Q(last_sign_in_at__isnull=True)
        plain = User.objects.filter(inactive, created_at__lt=cutoff)
        facet = filters.facet_queryset(filters.parse({"inactive_days": str(days)}))
        for search in ("smith", "ann", "example", "james smith", "nosuchperson", "li"):
            expected = scan(search, plain)
            counts.append(len(expected))
            answer, wanted = answer_and_wanted(search, expected, queryset=facet, cap_total=True)
            if answer != wanted:
                mismatches.append((days, search, answer[:2], wanted[:2]))
    assert not mismatches
    assert max(counts) > CAP and 0 in counts and any(1 <= n <= CAP for n in counts)
