"""Keyset pages of the log tables: Older / Newer / Newest links carry a (created_at, id) cursor."""

import re
from datetime import timedelta
from html import unescape
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.audit.factories import LogFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOG_TABLE = {"HX-Request": "true", "HX-Target": "log-table"}


@pytest.fixture
def person():
    return UserFactory()


def make_logs(user, count, *, same_time=False):
    """`count` entries one minute apart (or all at one instant), newest first."""
    now = timezone.now()
    logs = [
        LogFactory(user=user, created_at=now if same_time else now - timedelta(minutes=i))
        for i in range(count)
    ]
    return sorted(logs, key=lambda log: (log.created_at, log.id), reverse=True)


def get(client, url):
    response = client.get(url, headers=LOG_TABLE)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    ids = re.findall(r'/logs/([0-9a-z]{21})"', body)
    links = {
        label: unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(Newest|Newer|Older)</a>', body)
    }
    return ids, links


def walk_older(client, start):
    pages, url = [], start
    while url:
        ids, links = get(client, url)
        pages.append(ids)
        url = links.get("Older")
    return pages


def test_the_first_page_has_the_newest_20_and_only_an_older_link(admin_client, person):
    logs = make_logs(person, 45)
    ids, links = get(admin_client, f"/console/users/{person.id}/logs")
    assert ids == [log.id for log in logs[:20]]
    assert set(links) == {"Older"}


def test_older_links_walk_every_entry_once_to_the_last_page(admin_client, person):
    logs = make_logs(person, 45)
    pages = walk_older(admin_client, f"/console/users/{person.id}/logs")
    assert [len(p) for p in pages] == [20, 20, 5]
    assert [i for page in pages for i in page] == [log.id for log in logs]


def test_a_full_last_page_has_no_older_link(admin_client, person):
    make_logs(person, 40)
    url = f"/console/users/{person.id}/logs"
    _, links = get(admin_client, url)
    ids, links = get(admin_client, links["Older"])
    assert len(ids) == 20 and set(links) == {"Newest", "Newer"}


def test_exactly_one_page_has_no_pagination(admin_client, person):
    make_logs(person, 20)
    ids, links = get(admin_client, f"/console/users/{person.id}/logs")
    assert len(ids) == 20 and links == {}


def test_newer_goes_back_to_the_previous_page(admin_client, person):
    logs = make_logs(person, 65)
    url = f"/console/users/{person.id}/logs"
    _, first_links = get(admin_client, url)
    second, links = get(admin_client, first_links["Older"])
    third, links = get(admin_client, links["Older"])
    back, back_links = get(admin_client, links["Newer"])
    assert back == second == [log.id for log in logs[20:40]]
    assert set(back_links) == {"Newest", "Newer", "Older"}


def test_newer_at_the_top_shows_a_full_first_page(admin_client, person):
    """New entries arrived, or the page began mid-way: the top page is full, not a stub."""
    logs = make_logs(person, 30)
    url = f"/console/users/{person.id}/logs"
    _, links = get(admin_client, url)
    second, links = get(admin_client, links["Older"])
    assert len(second) == 10
    ids, links = get(admin_client, links["Newer"])
    assert ids == [log.id for log in logs[:20]] and set(links) == {"Older"}


def test_entries_at_the_same_instant_are_neither_skipped_nor_repeated(admin_client, person):
    logs = make_logs(person, 45, same_time=True)
    pages = walk_older(admin_client, f"/console/users/{person.id}/logs")
    assert [i for page in pages for i in page] == [log.id for log in logs]


def test_the_links_keep_the_filters(admin_client, person):
    for log in make_logs(person, 25):
        log.result = "Error"
        log.save()
    _, links = get(admin_client, f"/console/users/{person.id}/logs?result=Error")
    assert links["Older"].startswith(f"/console/users/{person.id}/logs?result=Error&before=")
    ids, links = get(admin_client, links["Older"])
    assert len(ids) == 5
    assert links["Newest"] == f"/console/users/{person.id}/logs?result=Error"


def test_the_links_are_htmx_enhanced_and_push_the_url(admin_client, person):
    make_logs(person, 21)
    body = admin_client.get(f"/console/users/{person.id}/logs").content.decode()
    older = re.search(r'<a href="([^"]+)" hx-get="([^"]+)"[^>]*rel="next">Older</a>', body)
    assert older and older[1] == older[2]
    assert 'hx-push-url="true" rel="next"' in body


@pytest.mark.parametrize(
    "params",
    [
        {"before": "garbage"},
        {"before": "12.<script>"},
        {"after": "99999999999999999999.abc"},
        {"before": "1.a" + "b" * 40},
        {"before": "1700000000000000.abc", "after": "1700000000000000.abd"},
    ],
)
def test_a_broken_cursor_gets_400(admin_client, person, params):
    response = admin_client.get(f"/console/users/{person.id}/logs", params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "page link" in response.content.decode()


def test_a_cursor_past_the_end_shows_an_empty_page_with_a_way_back(admin_client, person):
    make_logs(person, 3)
    ids, links = get(admin_client, f"/console/users/{person.id}/logs?before=1.a")
    assert ids == [] and set(links) == {"Newest"}
