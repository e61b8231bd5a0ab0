"""The filter bar's `<option>`s, now written by a tag (users/templatetags/user_table.py `options`),
are the bytes its template loops wrote, whatever is selected and whatever the names hold."""

import pytest
from django.template import Context, Template

from users.forms import UserTableForm

# The loop as it was (templates/users/user_list.html before the tag), verbatim but for the names.
BEFORE = Template(
    '{% for value, label in choices %}<option value="{{ value }}"'
    "{% if value == form.status.value %} selected{% endif %}>{{ label }}</option>{% endfor %}"
)
AFTER = Template("{% load user_table %}{% options choices form.status.value %}")

CHOICES = [
    UserTableForm.base_fields["status"].choices,
    UserTableForm.base_fields["mfa"].choices,
    [("r1", 'Admins <b>"&"</b>'), ("active", "O'Brien's role"), ("", "Empty id")],
]


@pytest.mark.parametrize("choices", CHOICES)
@pytest.mark.parametrize("status", [None, "", "active", "suspended", "r1", "<script>"])
def test_the_options_are_byte_for_byte_what_the_loop_wrote(choices, status):
    form = UserTableForm({} if status is None else {"status": status})
    form.is_valid()
    context = {"choices": choices, "form": form}
    assert AFTER.render(Context(context)) == BEFORE.render(Context(context))
