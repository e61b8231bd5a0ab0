"""What the access pages share: the list helper, the form and confirm dialog flows, counts.

Every change is a `<dialog>` for htmx and the same form as its own page without JavaScript. A
view parses its input with a form, loads what it acts on (404 for unknown ids), calls one verb
of users.access (one module a concept) and renders (console.dialogs). Success ends with a
message and a reload of the page the dialog was opened on or a move to the new thing or the list; errors
re-render the dialog by the rule of users/views/refusals.py: 400 invalid input, 409 a name in
use, a stale form or a blocked deletion, 403 a guard.
"""

from http import HTTPStatus

from django.core.exceptions import ValidationError
from django.shortcuts import render

from audit.recorder import Origin
from console.dialogs import render_dialog, render_page
from users.access import search as access_search
from users.access.forms import (
    ListForm,
)
from users.errors import ServiceError
from users.models import Role
from users.views.refusals import refusal_status

READ = "users.view_user"
CHANGE_USER = "users.change_user"
BAD_SEARCH = "That search is not valid: use at most 200 characters."


def _posted(request):
    """The submitted data of a POST (even an empty one), None for a GET: binds a form or not."""
    return request.POST if request.method == "POST" else None


def _origin(request) -> Origin:
    return Origin.from_request(request)


def _list(request, template, target, query, **context):
    """A searchable, paginated list; htmx asking for `#target` gets only the table."""
    form = ListForm(request.GET)
    if not form.is_valid():
        context.update(form=form, result=None)
        return render(request, template, context, status=HTTPStatus.BAD_REQUEST)
    data = form.cleaned_data
    result = query(data["search"], page=data["page"], page_size=data["page_size"])
    context.update(form=form, result=result, count_cap=access_search.COUNT_CAP)
    fragment = target if request.htmx and request.htmx.target == target else None
    return render_page(request, template, fragment, context)


def _apply_errors(form, error: ValidationError):
    """Put a service's errors on the form's fields (or on the form when it has no such field)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _call(form, call):
    """Run a service call; a refusal goes on the form. Returns (result, status)."""
    try:
        return call(), HTTPStatus.OK
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None, refusal_status(exc)
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return None, exc.status


def _form_dialog(request, form, dialog, *, status=HTTPStatus.OK):
    context = {}
    if "scopes" in form.fields:
        context["scope_groups"] = access_search.scopes_by_resource()
        context["selected_scopes"] = form.selected_scope_ids()
    return render_dialog(request, dialog, form=form, status=status, **context)


def _edit(request, form, call, *, done, dialog):
    """POST: validate, call the service, finish with `done(result)` or re-render with errors."""
    if request.method != "POST":
        return _form_dialog(request, form, dialog)
    if not form.is_valid():
        return _form_dialog(request, form, dialog, status=HTTPStatus.BAD_REQUEST)
    result, status = _call(form, lambda: call(form.cleaned_data))
    if status != HTTPStatus.OK:
        return _form_dialog(request, form, dialog, status=status)
    return done(result)


def _delete(request, call, *, done, confirm, subject=None):
    """GET shows the confirmation; POST runs the service `call` and finishes with `done`, or
    shows the refusal. A blocked deletion is a 409 and never reaches the service."""
    if request.method == "POST" and not confirm.blocked:
        try:
            result = call()
        except ServiceError as error:
            return render_dialog(
                request, confirm, subject=subject, error=error.message, status=error.status
            )
        return done(result)
    status = HTTPStatus.CONFLICT if request.method == "POST" else HTTPStatus.OK
    return render_dialog(request, confirm, subject=subject, status=status)


def _count_text(count: tuple[int, bool], one: str, many: str) -> str:
    number, more = count
    label = one if number == 1 and not more else many
    return f"{number:,}{'+' if more else ''} {label}"


def _valid_roles(ids):
    """The roles among `ids` that exist (to keep a rejected form's ticks)."""
    ids = [i for i in ids if isinstance(i, str) and i.isalnum() and len(i) <= 21]
    return list(Role.objects.filter(pk__in=ids[:200]))
