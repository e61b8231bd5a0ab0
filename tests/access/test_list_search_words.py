"""The access lists split a search with users.search.parse_terms, the user table's rule, but
without its phone rule: their rows are names, never phone numbers."""

import pytest

from tests.access.factories import RoleFactory
from users.search import parse_terms

pytestmark = pytest.mark.django_db


def test_digits_with_spaces_in_a_role_search_stay_separate_words(admin_client):
    role = RoleFactory(name="Report 2024 01")
    RoleFactory(name="Report 2023")
    body = admin_client.get("/console/roles", {"search": "2024 01"}).content.decode()
    assert f'href="/console/roles/{role.id}"' in body
    assert "Report 2023" not in body


def test_the_user_table_still_reads_the_same_text_as_one_phone_number():
    assert parse_terms("+44 20 7946-0958") == ["+442079460958"]
    assert parse_terms("+44 20 7946-0958", phone=False) == ["+44", "20", "7946-0958"]


def test_without_the_phone_rule_terms_are_lower_cased_and_unique():
    assert parse_terms("  Ops OPS admin ", phone=False) == ["ops", "admin"]
    assert parse_terms("", phone=False) == []
