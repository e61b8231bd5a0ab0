"""The user table's cell, now built in Python (users/templatetags/user_table.py), writes the
bytes the template wrote before, for the same users and the same search words."""

import pytest
from django.template import Context, Template

from tests.factories import UserFactory
from users.search import parse_terms

pytestmark = pytest.mark.django_db

# The template as it was (templates/users/user_list.html before the tag), verbatim.
BEFORE = Template(
    """<a class="user-cell" href="{{ users_url }}/{{ u.id }}">
            {% include "users/_avatar.html" with who=u large=False %}
            <span class="who">
              <span class="name">{% if u.name %}{{ u.name|highlight:result.terms }}{% else %}{{ u.id|highlight:result.terms }}{% endif %}</span>
              <span class="identifiers">
                {% if u.username %}<span class="identifier" title="Username">{{ u.username|highlight:result.terms }}</span>{% endif %}
                {% if u.primary_email %}<span class="identifier" title="Email">{{ u.primary_email|highlight:result.terms }}</span>{% endif %}
                {% if u.primary_phone %}<span class="identifier" title="Phone">{{ u.formatted_phone|highlight:result.terms }}</span>{% endif %}
              </span>
            </span>
            {% if u.is_suspended %}<span class="tag danger">Suspended</span>{% endif %}
          </a>"""
)
AFTER = Template("{% load user_table %}{% user_cell u result.terms users_url %}")

PEOPLE = [
    {"name": "Ann Smith", "primary_phone": "442079460958", "avatar": "https://x.example/a.png"},
    {"name": "", "username": None, "primary_email": "only@example.com"},
    {"name": "<img src=x onerror=alert(1)>", "username": "x_user", "is_suspended": True},
    {"name": 'Zoë "Zed" O\'Brien', "username": "zed_50%", "primary_email": None},
    {"name": "José", "avatar": 'https://x.example/"><script>', "primary_phone": "12025550143"},
    {"name": "", "username": None, "primary_email": None, "primary_phone": "33612345678"},
]
WORDS = ["", "ann", "smith ann", "<b>", "+44 20 7946", "example.com", "zed", "50%", "o'b", "é"]


@pytest.mark.parametrize("words", WORDS)
def test_the_cell_is_byte_for_byte_what_the_template_wrote(words):
    for fields in PEOPLE:
        user = UserFactory(**fields)
        context = {
            "u": user,
            "result": {"terms": parse_terms(words)},
            "users_url": "/console/users",
        }
        assert AFTER.render(Context(context)) == BEFORE.render(Context(context))
