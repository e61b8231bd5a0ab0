"""The log table's rows, now built in Python (audit/templatetags/log_table.py `log_rows`), write the
bytes the template's loop wrote before, for entries of every shape, with and without the User
column."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from audit import queries
from audit.models import Log
from tests.audit.factories import LogFactory
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

# The loop as it was (templates/audit/_log_table.html before the tag), verbatim.
BEFORE = Template(
    """<tbody>
    {% for log in page.logs %}
      <tr>
        <td>
          <a class="who" href="{{ list_url }}/{{ log.id|urlencode:"" }}">
            <span class="name">{{ log.title }}</span>
            <code class="identifier">{{ log.key }}</code>
          </a>
        </td>
        {% if show_user %}
        <td data-label="User">
          {% if log.user_id %}<a href="{{ users_url }}/{{ log.user_id|urlencode:"" }}">{{ log.user_label|default:log.user_ref }}</a>
          {% elif log.user_ref %}{{ log.user_label|default:log.user_ref }} <span class="muted">(deleted)</span>
          {% else %}—{% endif %}
        </td>
        {% endif %}
        <td data-label="Actor">
          {% if log.actor_id or log.actor_label %}<span class="who">
            {% if log.actor_id %}<a href="{{ users_url }}/{{ log.actor_id|urlencode:"" }}">{{ log.actor_label|default:log.actor_id }}</a>{% else %}<span>{{ log.actor_label }}</span>{% endif %}
            {% if log.actor_kind %}<span class="identifier">{{ log.actor_kind }}</span>{% endif %}
          </span>{% else %}{{ log.actor_kind|default:"—" }}{% endif %}
        </td>
        <td data-label="Result"><span class="tag {% if log.result == "Success" %}success{% else %}danger{% endif %}">{{ log.result }}</span></td>
        <td data-label="Application">{{ log.application_name|default:log.application_id|default:"—" }}</td>
        <td data-label="Time">{% timestamp log.created_at %}</td>
      </tr>
    {% empty %}
      <tr><td>empty</td></tr>
    {% endfor %}
    </tbody>"""
)
AFTER = Template(
    """{% load log_table %}<tbody>
    {% log_rows page.logs list_url users_url show_user %}{% if not page.logs %}
      <tr><td>empty</td></tr>
    {% endif %}
    </tbody>"""
)


def _logs():
    admin = UserFactory(name='Ad <"min">', username="ad&min")
    person = UserFactory(name="Zoë O'Brien")
    app = ApplicationFactory(name="Shop <b>")
    LogFactory(user=person, actor=admin, key="User.Update", application_id=app.pk)
    LogFactory(user=person, result=Log.Result.ERROR, actor_label="m2m <client>")
    LogFactory(user=None, user_ref="gone1", user_label="", key="User.Delete", actor=admin)
    LogFactory(user=None, user_ref="gone2", user_label='<img src=x onerror="1">')
    LogFactory(user=None, user_ref="", application_id="no-such-app")
    LogFactory(user=person, created_at=timezone.now() - timedelta(days=400), actor_label="cli")
    rows = list(Log.objects.select_related(None).order_by("-created_at", "-id"))
    return queries.for_display(rows)


@pytest.mark.parametrize("show_user", [True, False])
def test_the_rows_are_byte_for_byte_what_the_loop_wrote(show_user):
    context = {
        "page": {"logs": _logs()},
        "list_url": "/console/audit-logs",
        "users_url": "/console/users",
        "show_user": show_user,
    }
    assert AFTER.render(Context(context)) == BEFORE.render(Context(context))


def test_no_entries_still_write_the_empty_row():
    context = {"page": {"logs": []}, "list_url": "/x", "users_url": "/y", "show_user": True}
    assert AFTER.render(Context(context)) == BEFORE.render(Context(context))
