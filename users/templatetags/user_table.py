"""The user table's rows' hot path (templates/users/user_list.html): the rows built in Python,
the same HTML the template wrote (the avatar include and four `highlight` filters cost ~2 ms a
page of 20 rows, the rest of the row's template ~1.5 ms more; tests/users/test_user_cell_html.py
and tests/users/test_user_rows_html.py check the bytes are unchanged)."""

from html import escape

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from console.templatetags.console import EMPTY, highlight, timestamp

register = template.Library()

_IDENTIFIERS = (("username", "Username"), ("primary_email", "Email"), ("primary_phone", "Phone"))


def avatar(user) -> str:
    """users/_avatar.html with large=False, as its include rendered it (newlines included)."""
    picture = ""
    if user.avatar:
        picture = (
            f'<img src="{escape(user.avatar)}" alt="" width="32" height="32" loading="lazy"'
            ' referrerpolicy="no-referrer" data-avatar>'
        )
    initials = escape(user.initials)
    return (
        f'\n<span class="avatar" aria-hidden="true"><span class="initials">{initials}</span>'
        f"{picture}</span>\n"
    )


@register.simple_tag
def user_cell(user, terms, users_url):
    """The link to a user with avatar, name and identifiers, search terms marked."""
    name = highlight(user.name, terms) if user.name else highlight(user.id, terms)
    identifiers = []
    for field, title in _IDENTIFIERS:
        value = getattr(user, field)
        if value:
            shown = user.formatted_phone if field == "primary_phone" else value
            identifiers.append(
                f'<span class="identifier" title="{title}">{highlight(shown, terms)}</span>'
            )
        else:
            identifiers.append("")
    suspended = '<span class="tag danger">Suspended</span>' if user.is_suspended else ""
    row = "\n                ".join(identifiers)
    return mark_safe(
        f'<a class="user-cell" href="{escape(users_url)}/{escape(user.id)}">\n'
        f"            {avatar(user)}\n"
        '            <span class="who">\n'
        f'              <span class="name">{name}</span>\n'
        '              <span class="identifiers">\n'
        f"                {row}\n"
        "              </span>\n"
        "            </span>\n"
        f"            {suspended}\n"
        "          </a>"
    )


@register.simple_tag
def user_rows(users, terms, users_url, can_change):
    """The table's `<tr>`s, as the `{% for u in result.users %}` loop wrote them (`can_change`:
    perms.users.change_user, the selection checkboxes)."""
    rows = []
    for user in users:
        select = ""
        if can_change:
            label = escape(str(user.name or user.id))
            select = (
                f'<td class="select"><input type="checkbox" name="ids" value="{escape(user.id)}"'
                f' form="bulk-form" aria-label="Select {label}"></td>'
            )
        application = user.application.name if user.application_id else ""
        rows.append(
            "\n      <tr>\n"
            f"        {select}\n"
            "        <td>\n"
            f"          {user_cell(user, terms, users_url)}\n"
            "        </td>\n"
            f'        <td data-label="From application">{escape(application) or EMPTY}</td>\n'
            f'        <td data-label="Latest sign-in">{timestamp(user.last_sign_in_at)}</td>\n'
            "      </tr>\n    "
        )
    return mark_safe("".join(rows))


@register.simple_tag
def options(choices, selected):
    """A `<select>`'s `<option>`s, `selected` marked: what the filter bar's loops wrote,
    `{% for value, label in choices %}<option value="{{ value }}"{% if value == selected %}
    selected{% endif %}>{{ label }}</option>{% endfor %}`, with `selected` looked up once."""
    return mark_safe(
        "".join(
            f'<option value="{conditional_escape(value)}"'
            f"{' selected' if value == selected else ''}>{conditional_escape(label)}</option>"
            for value, label in choices
        )
    )
