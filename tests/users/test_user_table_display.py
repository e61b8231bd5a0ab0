"""How the user table and pages show people: letters-only initials, every identifier of a row,
the one placeholder "—" for what is not there, times in a <time> with the exact time."""

from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.template import Context, Template

from tests.factories import UserFactory
from users.models import User

TABLE = {"HX-Request": "true", "HX-Target": "user-table"}


@pytest.mark.parametrize(
    ("fields", "initials"),
    [
        ({"name": "Ada Lovelace"}, "AL"),
        ({"name": "<script"}, "S"),
        ({"name": "<script>alert(1)</script>"}, "S"),
        ({"name": "  ' 'Ø'rjan  9lives"}, "ØL"),
        ({"name": "123 !!!"}, "?"),
        ({"name": "", "username": "grace_hopper"}, "GH"),
        ({"name": "", "username": "", "primary_email": "9x@example.com"}, "XE"),
        ({"name": "", "username": "", "primary_email": ""}, "?"),
    ],
)
def test_initials_are_letters_only(fields, initials):
    assert User(**fields).initials == initials


@pytest.mark.django_db
def test_a_row_shows_every_identifier_and_the_page_and_fragment_agree(admin_client):
    UserFactory(
        name="Ann Lee",
        username="ann_lee",
        primary_email="ann@example.com",
        primary_phone="442079460958",
    )
    for headers in ({}, TABLE):
        response = admin_client.get("/console/users", headers=headers)
        assert response.status_code == HTTPStatus.OK
        body = response.content.decode()
        assert '<span class="identifier" title="Username">ann_lee</span>' in body
        assert '<span class="identifier" title="Email">ann@example.com</span>' in body
        assert '<span class="identifier" title="Phone">+44 20 7946 0958</span>' in body


@pytest.mark.django_db
def test_an_avatar_is_drawn_over_its_initials_and_escaped(admin_client):
    UserFactory(name="<script", avatar='https://example.com/a.png"onerror="alert(1)')
    body = admin_client.get("/console/users", headers=TABLE).content.decode()
    assert '<span class="initials">S</span><img src="https://example.com/a.png&quot;onerror' in body
    assert "<S" not in body and 'onerror="alert' not in body


@pytest.mark.django_db
def test_empty_values_show_one_placeholder(admin_client):
    UserFactory(name="Ann Lee")  # no application, never signed in
    body = admin_client.get("/console/users", headers=TABLE).content.decode()
    assert '<td data-label="From application">—</td>' in body
    assert '<td data-label="Latest sign-in">—</td>' in body
    assert ">-<" not in body and "never" not in body


def render(text, **context):
    return Template(text).render(Context(context))


def test_a_time_is_relative_text_in_a_time_element_with_the_exact_time_as_tooltip():
    at = datetime(2020, 5, 17, 8, 30, 5, tzinfo=UTC)
    html = render("{% timestamp at %}", at=at)
    assert html.startswith(
        '<time datetime="2020-05-17T08:30:05+00:00" title="2020-05-17 08:30:05 UTC">'
    )
    assert "ago</time>" in html


def test_no_time_is_the_placeholder_unless_the_page_says_what_absence_means():
    assert render("{% timestamp at %}", at=None) == "—"
    assert render('{% timestamp at "never" %}', at=None) == "never"
