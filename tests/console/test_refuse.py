"""users.views.refusals.refuse: the one way a view puts a service's refusal on its form (the
access pages, the members page and the token dialogs used to do it three ways)."""

from http import HTTPStatus

from django import forms
from django.core.exceptions import ValidationError

from users.errors import GuardError, StaleError
from users.views.refusals import refuse


class NameForm(forms.Form):
    name = forms.CharField()


def bound_form():
    form = NameForm({"name": "ops"})
    assert form.is_valid()
    return form


def test_an_error_on_a_field_of_the_form_goes_on_that_field_and_is_a_400():
    form = bound_form()
    status = refuse(form, ValidationError({"name": [ValidationError("Too long.", "too_long")]}))
    assert status == HTTPStatus.BAD_REQUEST
    assert form.errors["name"] == ["Too long."]


def test_an_error_on_a_field_the_form_does_not_have_goes_on_the_form():
    form = bound_form()
    refuse(form, ValidationError({"scopes": [ValidationError("Gone.", "invalid")]}))
    assert form.non_field_errors() == ["Gone."]


def test_a_name_in_use_a_stale_form_and_an_existing_member_are_conflicts():
    for code in ("unique", "stale", "already_staff"):
        assert refuse(bound_form(), ValidationError("Taken.", code=code)) == HTTPStatus.CONFLICT


def test_a_service_error_is_a_form_error_with_its_own_status():
    form = bound_form()
    assert refuse(form, GuardError("Not yourself.")) == HTTPStatus.FORBIDDEN
    assert form.non_field_errors() == ["Not yourself."]
    assert refuse(bound_form(), StaleError("Changed.")) == HTTPStatus.CONFLICT
