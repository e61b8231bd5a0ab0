"""The user table's rows, now built in Python (users/templatetags/user_table.py `user_rows`), write
the bytes the template's loop wrote before, for the same users, search words and permissions."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from tests.factories import ApplicationFactory, UserFactory
from users.models import User
from users.search import parse_terms

pytestmark = pytest.mark.django_db

# The loop as it was (templates/users/user_list.html before the tag), verbatim.
BEFORE = Template(
    """{% load user_table %}<tbody>
    {% for u in result.users %}
      <tr>
        {% if can_change %}<td class="select"><input type="checkbox" name="ids" value="{{ u.id }}" form="bulk-form" aria-label="Select {{ u.name|default:u.id }}"></td>{% endif %}
        <td>
          {% user_cell u result.terms users_url %}
        </td>
        <td data-label="From application">{{ u.application.name|default:"—" }}</td>
        <td data-label="Latest sign-in">{% timestamp u.last_sign_in_at %}</td>
      </tr>
    {% empty %}
      <tr><td>empty</td></tr>
    {% endfor %}
    </tbody>"""
)
AFTER = Template(
    """{% load user_table %}<tbody>
    {% user_rows result.users result.terms users_url can_change %}{% if not result.users %}
      <tr><td>empty</td></tr>
    {% endif %}
    </tbody>"""
)

WORDS = ["", "ann", "smith ann", "<b>", "+44 20 7946", "example.com", "o'b"]


def _people():
    app = ApplicationFactory(name='Shop <"&">')
    plain = ApplicationFactory(name="Mobile")
    signed_in = timezone.now() - timedelta(hours=3)
    rows = [
        UserFactory(name="Ann Smith", primary_phone="442079460958", application=app),
        UserFactory(name="", username=None, primary_email="only@example.com"),
        UserFactory(name="<img src=x onerror=alert(1)>", is_suspended=True, application=plain),
        UserFactory(name='Zoë "Zed" O\'Brien', last_sign_in_at=signed_in),
        UserFactory(name="Old", last_sign_in_at=datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ]
    return list(User.objects.select_related("application").filter(pk__in=[u.pk for u in rows]))


@pytest.mark.parametrize("words", WORDS)
@pytest.mark.parametrize("can_change", [True, False])
def test_the_rows_are_byte_for_byte_what_the_loop_wrote(words, can_change):
    users = _people()
    context = {
        "result": {"users": users, "terms": parse_terms(words)},
        "users_url": "/console/users",
        "can_change": can_change,
    }
    assert AFTER.render(Context(context)) == BEFORE.render(Context(context))


def test_no_rows_still_write_the_empty_row():
    context = {"result": {"users": [], "terms": []}, "users_url": "/console/users"}
    assert AFTER.render(Context(context)) == BEFORE.render(Context(context))
