"""GET /api/users: Logto's search grammar and pagination, and the console's results for the
same words."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.access.factories import RoleFactory, UserRoleFactory
from tests.factories import UserFactory
from users.search import search_users


@pytest.fixture
def people(db):
    now = timezone.now()
    rows = [
        ("ann_lee", "ann@example.com", "442079460958", "Ann Lee"),
        ("bob_stone", "bob@stone.org", "12025550143", "Bob Stone"),
        ("Carla_M", "carla@example.com", None, "Carla Mendes"),
        ("dan", "dan@elsewhere.net", None, "Dan Ann"),
    ]
    return [
        UserFactory(
            username=u,
            primary_email=e,
            primary_phone=p,
            name=n,
            created_at=now - timedelta(minutes=i),
        )
        for i, (u, e, p, n) in enumerate(rows)
    ]


def names(response):
    assert response.status_code == HTTPStatus.OK, response.content
    return [u["username"] for u in response.json()]


def test_users_come_newest_first_with_total_and_links(api, people):
    response = api.get("/api/users", {"page_size": 2, "page": 2})
    assert names(response) == ["Carla_M", "dan"]
    assert response["Total-Number"] == "4"
    assert 'rel="first"' in response["Link"] and 'rel="prev"' in response["Link"]
    assert "page=2" in response["Link"] and 'rel="last"' in response["Link"]
    assert 'rel="next"' not in response["Link"]


def test_a_page_past_the_end_is_empty(api, people):
    response = api.get("/api/users", {"page": 9})
    assert names(response) == []
    assert response["Total-Number"] == "4"


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": "x"},
        {"page_size": "0"},
        {"page_size": "101"},
        {"page_size": "100000000000000000000"},
        {"page": "99999999", "page_size": "100"},
    ],
)
def test_bad_pagination_is_400(api, people, params):
    response = api.get("/api/users", params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "guard.invalid_pagination"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search.username": "ann_lee"}, ["ann_lee"]),
        ({"search.username": "ANN_LEE"}, ["ann_lee"]),  # like ignores case by default
        ({"search.username": "ann"}, []),  # no implicit %
        ({"search.name": "%ann%"}, ["ann_lee", "dan"]),
        ({"search.name": "_an %"}, ["dan"]),
        ({"search.primary_email": "%@example.com"}, ["ann_lee", "Carla_M"]),
        ({"search.primaryEmail": "%@EXAMPLE.com"}, ["ann_lee", "Carla_M"]),
        ({"search.primaryPhone": "4420%"}, ["ann_lee"]),
        ({"search.username": "carla_m", "mode.username": "exact"}, ["Carla_M"]),
        (
            {"search.username": "carla_m", "mode.username": "exact", "isCaseSensitive": "true"},
            [],
        ),
        ({"search.username": ["dan", "bob_stone"], "mode.username": "exact"}, ["bob_stone", "dan"]),
        ({"search.username": "^[ab]", "mode.username": "posix"}, ["ann_lee", "bob_stone"]),
        ({"search.username": "^C", "mode.username": "posix", "isCaseSensitive": "1"}, ["Carla_M"]),
        (
            {"search.name": "(Ann|Bob)%", "mode.name": "similar_to", "isCaseSensitive": "true"},
            ["ann_lee", "bob_stone"],
        ),
        ({"search": "dan"}, ["dan"]),
        ({"search": "%stone%"}, ["bob_stone"]),
        (
            {"search.username": "ann_lee", "search.name": "Dan Ann", "joint": "or"},
            ["ann_lee", "dan"],
        ),
        ({"search.username": "ann_lee", "search.name": "Dan Ann", "joint": "and"}, []),
        ({"search.name": "%ann%", "search.username": "d%", "joint": "and"}, ["dan"]),
        ({"search_params[search.username]": "bob_stone"}, ["bob_stone"]),
        (
            {"search_params[search.username]": "b%", "search_params[mode.username]": "like"},
            ["bob_stone"],
        ),
    ],
)
def test_search_grammar(api, people, params, expected):
    assert sorted(names(api.get("/api/users", params)), key=str.lower) == sorted(
        expected, key=str.lower
    )


@pytest.mark.parametrize(
    "params",
    [
        {"search.password": "x"},
        {"search.name.first": "x"},
        {"search.name": "x", "mode.name": "fuzzy"},
        {"mode": "regex", "search": "x"},
        {"search.name": "x", "mode.name": "similar_to"},
        {"search.name": ["a", "b"]},
        {"search.name": ""},
        {"search.name": "x", "joint": "xor"},
        {"search.name": "(", "mode.name": "posix"},
        {"search.name": "a{2,1}", "mode.name": "posix"},
        {"search.name": "x" * 300},
        {"excludeRoleId": "a", "excludeOrganizationId": "b"},
    ],
)
def test_bad_searches_are_400_request_invalid_input(api, people, params):
    response = api.get("/api/users", params)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["code"] == "request.invalid_input"


def test_exclude_role_id_lists_users_without_the_role(api, people):
    role = RoleFactory()
    UserRoleFactory(user=people[0], role=role)
    assert "ann_lee" not in names(api.get("/api/users", {"excludeRoleId": role.pk}))
    assert len(names(api.get("/api/users", {"excludeRoleId": role.pk}))) == 3


@pytest.mark.parametrize("words", ["ann", "example", "stone org", "+44 20", "4420", "CARLA", "zzz"])
def test_a_keyword_search_finds_what_the_console_finds_for_the_same_words(api, people, words):
    console = search_users(words, page_size=100)
    response = api.get("/api/users", {"search": f"%{words}%", "page_size": 100})
    assert [u["id"] for u in response.json()] == [u.pk for u in console.users]
    assert response["Total-Number"] == str(console.total)


def test_a_keyword_search_pages_like_the_console(api, db):
    for i in range(7):
        UserFactory(username=f"page_user_{i}", created_at=timezone.now() - timedelta(seconds=i))
    for page in (1, 2, 3):
        console = search_users("page_user", page=page, page_size=3)
        response = api.get("/api/users", {"search": "%page_user%", "page": page, "page_size": 3})
        assert [u["id"] for u in response.json()] == [u.pk for u in console.users]


def test_list_items_carry_identities_and_no_secrets(api, subject):
    item = api.get("/api/users").json()[0]
    assert item["identities"] == {"github": {"userId": "1234", "details": {}}}
    assert "password" not in item and "passwordDigest" not in item
