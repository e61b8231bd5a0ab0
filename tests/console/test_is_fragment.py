"""console.dialogs.is_fragment: the one answer to "does htmx want only part of this page?"."""

from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from console.dialogs import is_fragment


def _request(**headers):
    request = RequestFactory().get("/", headers=headers)
    request.htmx = HtmxDetails(request)
    return request


def test_a_plain_request_wants_the_whole_page():
    assert not is_fragment(_request())
    assert not is_fragment(_request(), "user-table")


def test_an_htmx_request_wants_a_fragment():
    assert is_fragment(_request(**{"HX-Request": "true"}))


def test_with_a_target_only_that_target_gets_the_fragment():
    request = _request(**{"HX-Request": "true", "HX-Target": "log-table"})
    assert is_fragment(request, "log-table")
    assert not is_fragment(request, "user-table")


def test_a_history_restore_wants_the_whole_page():
    request = _request(**{"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert not is_fragment(request)
    assert not is_fragment(request, "log-table")
