"""{% dialog_link %}: the one link that opens a dialog. htmx loads it into #dialog-slot; without
JavaScript the same href is the dialog's own page."""

from django.template import Context, Template


def render(source, **context):
    return Template(source).render(Context(context))


def test_the_link_points_href_and_hx_get_at_the_same_dialog():
    html = render('{% dialog_link "Create role" "access:role-new" css="button primary" %}')
    assert html == (
        '<a class="button primary" href="/console/roles/new" hx-get="/console/roles/new" '
        'hx-target="#dialog-slot" hx-swap="innerHTML">Create role</a>'
    )


def test_a_row_button_names_what_it_acts_on_for_screen_readers_and_escapes_it():
    html = render(
        '{% dialog_link "Edit" "access:organization-role-edit" role_id css="button small" '
        "about=name %}",
        role_id="abc123",
        name="<b>ops</b>",
    )
    assert 'aria-label="Edit &lt;b&gt;ops&lt;/b&gt;"' in html
    assert 'href="/console/organization-roles/abc123/edit"' in html


def test_a_menu_item_has_no_class():
    html = render('{% dialog_link "Suspend" "users:suspend" "abcdefghijkl" css="" %}')
    assert html.startswith('<a href="/console/users/abcdefghijkl/suspend"')
