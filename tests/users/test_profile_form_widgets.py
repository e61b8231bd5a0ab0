"""The profile form's pre-rendered widgets (time-zone select, text inputs) read as Django's own."""

import re

import pytest
from django import forms

from users.forms import (
    ProfileForm,
    QuickEmailInput,
    QuickHiddenInput,
    QuickTextarea,
    QuickTextInput,
    QuickURLInput,
    TimeZoneSelect,
)

OPTION_RE = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def _options(html):
    return [(value, bool(selected), label) for value, selected, label in OPTION_RE.findall(html)]


@pytest.mark.parametrize(
    "value", ["Europe/Paris", "", None, "Not/AZone", "America/Argentina/Buenos_Aires"]
)
def test_it_renders_the_same_options_and_choice_as_djangos_select(value):
    choices = list(ProfileForm().fields["zoneinfo"].choices)
    stock = forms.Select(choices=choices).render("zoneinfo", value, attrs={"id": "id_zoneinfo"})
    ours = TimeZoneSelect(choices=choices).render("zoneinfo", value, attrs={"id": "id_zoneinfo"})

    assert len(_options(ours)) == len(choices) > 500
    assert _options(ours) == _options(stock)
    assert 'name="zoneinfo"' in ours and 'id="id_zoneinfo"' in ours


def test_it_marks_exactly_one_option_selected():
    html = TimeZoneSelect().render("zoneinfo", "Europe/Paris")

    assert html.count(" selected>") == 1
    assert '<option value="Europe/Paris" selected>' in html


def test_the_bound_profile_form_shows_the_users_zone():
    form = ProfileForm(initial={"zoneinfo": "Asia/Tokyo"})

    assert '<option value="Asia/Tokyo" selected>' in str(form["zoneinfo"])


INPUT_ATTR_RE = re.compile(r'\s([\w-]+)(?:="([^"]*)")?')


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        ("Ann", {"id": "id_given_name"}),
        ("", {"id": "id_x", "placeholder": "https://", "type": "url"}),
        (None, {"required": True, "disabled": False}),
        ('<b>"quoted" & more</b>', {"id": "id_x"}),
    ],
)
def test_the_quick_text_input_renders_the_attributes_of_djangos(value, attrs):
    stock = forms.TextInput(attrs={"maxlength": "256"}).render("given_name", value, attrs=attrs)
    ours = QuickTextInput(attrs={"maxlength": "256"}).render("given_name", value, attrs=attrs)

    assert ours.startswith("<input ") and ours.endswith(">")
    assert sorted(INPUT_ATTR_RE.findall(ours[6:-1])) == sorted(INPUT_ATTR_RE.findall(stock[6:-1]))


@pytest.mark.parametrize(
    ("stock_class", "quick_class"),
    [
        (forms.EmailInput, QuickEmailInput),
        (forms.URLInput, QuickURLInput),
        (forms.HiddenInput, QuickHiddenInput),
    ],
)
@pytest.mark.parametrize("value", ["ann@example.com", "", None, '"quoted" & <b>'])
def test_each_quick_input_renders_the_markup_of_djangos(stock_class, quick_class, value):
    attrs = {"id": "id_x", "placeholder": "https://", "autocomplete": "off"}
    stock = stock_class(attrs={"maxlength": "128"}).render("x", value, attrs=attrs)
    ours = quick_class(attrs={"maxlength": "128"}).render("x", value, attrs=attrs)

    assert ours.startswith("<input ") and ours.endswith(">")
    assert sorted(INPUT_ATTR_RE.findall(ours[6:-1])) == sorted(INPUT_ATTR_RE.findall(stock[6:-1]))


@pytest.mark.parametrize("value", ['{\n  "plan": "<gold> & \\"more\\""\n}', "", None])
def test_the_quick_textarea_renders_djangos_markup(value):
    attrs = {"rows": 8, "spellcheck": "false", "class": "code"}
    stock = forms.Textarea(attrs=attrs).render("custom_data", value, attrs={"id": "id_c"})
    ours = QuickTextarea(attrs=attrs).render("custom_data", value, attrs={"id": "id_c"})

    head, body = ours.split(">", 1)
    stock_head, stock_body = stock.split(">", 1)
    assert sorted(INPUT_ATTR_RE.findall(head)) == sorted(INPUT_ATTR_RE.findall(stock_head))
    assert body == stock_body
