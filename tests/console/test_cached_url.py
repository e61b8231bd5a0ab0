"""`{% url %}` (console/templatetags/cached_url.py) keeps the URLs of views named without
arguments, and answers exactly what Django's reverse() answers, prefix and arguments included."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix


def render(text, **context):
    return Template(text).render(Context(context))


@pytest.fixture(autouse=True)
def _root_prefix():
    set_script_prefix("/")
    yield
    set_script_prefix("/")


def test_a_view_without_arguments_reverses_as_django_does():
    for _ in range(2):  # the second answer comes from the cache
        assert render("{% url 'users:list' %}") == reverse("users:list")
        assert render("{% url 'access:roles' as x %}[{{ x }}]") == f"[{reverse('access:roles')}]"


def test_a_script_prefix_is_part_of_the_answer():
    assert render("{% url 'users:list' %}") == "/console/users"
    set_script_prefix("/gatehouse/")
    assert render("{% url 'users:list' %}") == "/gatehouse/console/users"


def test_arguments_and_variable_names_reverse_every_time():
    assert render("{% url 'users:detail' uid %}", uid="abc123") == reverse(
        "users:detail", args=["abc123"]
    )
    assert render("{% url name %}", name="users:list") == reverse("users:list")


def test_an_unknown_view_fails_as_before_or_is_empty_with_as():
    with pytest.raises(NoReverseMatch):
        render("{% url 'no:such-view' %}")
    assert render("{% url 'no:such-view' as x %}[{{ x }}]") == "[]"


@override_settings(ROOT_URLCONF="tests.console.urls_elsewhere")
def test_another_url_configuration_is_not_answered_from_the_first():
    assert render("{% url 'users:list' %}") == "/elsewhere/users"


def test_what_is_kept_stays_bounded(monkeypatch):
    from console.templatetags import cached_url

    monkeypatch.setattr(cached_url, "MAX_KEPT", 3)
    for n in range(10):
        set_script_prefix(f"/p{n}/")
        assert render("{% url 'users:list' %}") == f"/p{n}/console/users"
    assert len(cached_url._REVERSED) <= 3
