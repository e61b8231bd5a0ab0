"""The user table's filter bar: facets and sort in the URL, full page and htmx fragment alike,
active filters as removable chips, sortable headers with aria-sort, bad values a 400."""

from http import HTTPStatus

import pytest

from tests.access.factories import OrganizationFactory, RoleFactory, UserRoleFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/console/users"


@pytest.fixture
def people(db):
    return {
        "ann": UserFactory(name="Ann Suspended", is_suspended=True),
        "bob": UserFactory(name="Bob Active"),
    }


def test_a_facet_filters_the_full_page_and_the_fragment_alike(admin_client, htmx, people):
    for headers in ({}, htmx):
        response = admin_client.get(URL, {"status": "suspended"}, headers=headers)
        body = response.content.decode()
        assert response.status_code == HTTPStatus.OK
        assert "Ann Suspended" in body and "Bob Active" not in body
        assert ("<html" in body) is (headers == {})


def test_the_filter_bar_shows_the_chosen_values(admin_client, people):
    body = admin_client.get(URL, {"status": "suspended", "data": "plan=pro"}).content.decode()
    assert '<option value="suspended" selected>' in body
    assert 'value="plan=pro"' in body
    assert '<details class="filters" id="user-filters" open>' in body


def test_active_filters_are_chips_that_remove_themselves(admin_client, htmx, people):
    body = admin_client.get(
        URL, {"search": "ann", "status": "suspended", "mfa": "no", "page": 1}, headers=htmx
    ).content.decode()
    assert 'aria-label="Active filters"' in body
    assert "Status: suspended" in body and "Has MFA: no" in body
    # Removing one keeps the others and the search, and goes back to page 1.
    assert 'href="/console/users?search=ann&amp;mfa=no"' in body
    assert 'href="/console/users?search=ann&amp;status=suspended"' in body
    # Clear filters keeps only the search.
    assert 'href="/console/users?search=ann" hx-get="/console/users?search=ann"' in body
    assert "Clear filters</a>" in body


def test_a_role_chip_names_the_role(admin_client, htmx):
    role = RoleFactory(name="Auditor")
    UserRoleFactory(role=role)
    body = admin_client.get(URL, {"role": role.pk}, headers=htmx).content.decode()
    assert "Role: Auditor" in body


def test_roles_and_organizations_are_offered_in_the_filter_bar(admin_client):
    RoleFactory(name="Auditor")
    OrganizationFactory(name="Acme")
    body = admin_client.get(URL).content.decode()
    assert ">Auditor</option>" in body and ">Acme</option>" in body


def test_the_offered_roles_and_organizations_are_in_name_order_each_in_its_select(admin_client):
    for name in ("Zeta", "Alpha", "Mid"):
        RoleFactory(name=f"Role {name}")
        OrganizationFactory(name=f"Org {name}")
    body = admin_client.get(URL).content.decode()
    roles = body[body.index('<select name="role">') : body.index('<select name="organization">')]
    orgs = body[body.index('<select name="organization">') :]
    for select, prefix in ((roles, "Role"), (orgs, "Org")):
        found = [select.index(f">{prefix} {name}</option>") for name in ("Alpha", "Mid", "Zeta")]
        assert found == sorted(found)
    assert "Org " not in roles and "Role " not in orgs[: orgs.index("</select>")]


def test_no_chips_without_facets(admin_client, htmx, people):
    body = admin_client.get(URL, {"search": "ann"}, headers=htmx).content.decode()
    assert "Active filters" not in body


def test_sortable_headers_carry_aria_sort_and_toggle(admin_client, htmx, people):
    body = admin_client.get(URL, {"sort": "-last_sign_in"}, headers=htmx).content.decode()
    assert 'aria-sort="descending"' in body
    assert 'href="/console/users?sort=last_sign_in"' in body  # click again: ascending
    assert 'href="/console/users?sort=name"' in body
    body = admin_client.get(URL, {"sort": "name"}, headers=htmx).content.decode()
    assert 'aria-sort="ascending"' in body
    assert 'href="/console/users?sort=-name"' in body


def test_the_sort_orders_the_rows(admin_client, htmx, people):
    body = admin_client.get(URL, {"sort": "-name"}, headers=htmx).content.decode()
    assert body.index("Bob Active") < body.index("Ann Suspended")
    body = admin_client.get(URL, {"sort": "name"}, headers=htmx).content.decode()
    assert body.index("Ann Suspended") < body.index("Bob Active")


def test_pagination_links_keep_the_facets_and_sort(admin_client, htmx):
    UserFactory.create_batch(25, is_suspended=True)
    body = admin_client.get(
        URL, {"status": "suspended", "sort": "name", "page_size": 20}, headers=htmx
    ).content.decode()
    # Without keywords the next page is a keyset cursor (tests/users/test_keyset_pages.py).
    assert "?status=suspended&amp;sort=name&amp;page_size=20&amp;after=" in body


def test_an_empty_result_says_the_filters_match_no_one(admin_client, htmx, people):
    body = admin_client.get(URL, {"data": "plan"}, headers=htmx).content.decode()
    assert "No users match these filters." in body


@pytest.mark.parametrize(
    "params",
    [
        {"status": "invited"},
        {"role": "nosuchrole"},
        {"organization": "a\x00b"},
        {"created_from": "2026-02-30"},
        {"inactive_days": "-1"},
        {"data": "bad key=1"},
        {"sort": "password"},
        {"mfa": "perhaps"},
    ],
)
def test_bad_facet_values_are_a_400_with_the_error_shown(admin_client, htmx, params):
    for headers in ({}, htmx):
        response = admin_client.get(URL, params, headers=headers)
        assert response.status_code == HTTPStatus.BAD_REQUEST
        body = response.content.decode()
        assert 'class="error" role="alert"' in body
        assert "chip bad" in body or "sort" in params


def test_viewers_can_filter_too(viewer_client, people):
    response = viewer_client.get(URL, {"status": "active"})
    assert response.status_code == HTTPStatus.OK


def test_machine_roles_are_not_offered_they_never_reach_users(admin_client):
    from tests.access.factories import MachineRoleFactory

    MachineRoleFactory(name="Robot")
    RoleFactory(name="Auditor")
    body = admin_client.get(URL).content.decode()
    assert ">Auditor</option>" in body and ">Robot</option>" not in body


def test_with_many_organizations_the_facet_is_an_id_field(admin_client, monkeypatch):
    from users.views import directory

    OrganizationFactory.create_batch(3)
    monkeypatch.setattr(directory, "FACET_CHOICES_MAX", 2)
    body = admin_client.get(URL).content.decode()
    assert '<input name="organization"' in body
    assert '<select name="role">' in body
