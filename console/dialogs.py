"""One way to answer from a console view: a page or its htmx fragment, and one `<dialog>`.

A view that confirms or edits something builds a `Dialog` (what it says, where it posts, where
Cancel goes) and renders it with `render_dialog`: the dialog alone for htmx, the same dialog as a
page of its own without JavaScript. Success ends with `go` (to the new thing or the list) or
`reload` (the page the dialog was opened on); a refusal re-renders the dialog with its 4xx status
(users/views/refusals.py).
"""

from dataclasses import dataclass
from http import HTTPStatus

from django.contrib import messages
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

TEMPLATE = "console/dialog.html"
# The <dialog> element ids (also the htmx targets) that pages and browser tests know.
ACTION = "action-dialog"
CONFIRM = "confirm-dialog"
FORM = "form-dialog"


def is_fragment(request, target: str | None = None) -> bool:
    """htmx asks for part of the page (with `target`: that part). A history restore wants the
    whole page back, not the fragment."""
    htmx = request.htmx
    if not htmx or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def posted(request):
    """The submitted data of a POST (even an empty one), None for a GET: binds a form or not."""
    return request.POST if request.method == "POST" else None


def submitted(request, form) -> bool:
    """A POST whose input parses: the view may call its service."""
    return request.method == "POST" and form.is_valid()


def render_page(request, template, fragment, context, status=HTTPStatus.OK):
    """The whole page, or its `fragment` partial for htmx."""
    name = f"{template}#{fragment}" if fragment and is_fragment(request) else template
    return render(request, name, context, status=status)


@dataclass(frozen=True)
class Dialog:
    id: str  # ACTION, CONFIRM or FORM
    title: str
    url: str  # where the form posts
    cancel: str  # where Cancel goes without JavaScript
    submit: str  # the submit button's label
    text: str = ""
    intro: str = ""  # a muted line under the title
    danger: bool = False
    consequences: tuple[str, ...] = ()
    blocked: str = ""  # why the act cannot be done: no submit button, a 409 on POST
    download: bool = False  # the answer is a file: a plain POST, not swapped in by htmx


def render_dialog(request, dialog, *, form=None, error="", status=HTTPStatus.OK, **context):
    """The dialog as its own page, or the `<dialog>` alone for htmx."""
    context.update(dialog=dialog, form=form, error=error)
    return render_page(request, TEMPLATE, "dialog", context, status=status)


def go(request, message, url):
    """After a create or a delete: go to `url` (the new thing, or the list)."""
    messages.success(request, message)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def reload(request, message, url):
    """After an edit: reload the page the dialog was opened on (search and page kept); without
    JavaScript the dialog was a page of its own, so go to `url`, the page it belongs to."""
    messages.success(request, message)
    return HttpResponseClientRefresh() if request.htmx else redirect(url)
