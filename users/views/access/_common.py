"""What the access pages share: the form and confirm dialogs, counts (the lists: lists.py).

Every change is a `<dialog>` for htmx and the same form as its own page without JavaScript. A
view parses its input with a form, loads what it acts on (404 for unknown ids), calls one verb
of users.access (one module a concept) and renders (console.dialogs). Success ends with a
message and a reload of the page the dialog was opened on or a move to the new thing or the
list; errors re-render the dialog by the rule of users/views/refusals.py: 400 invalid input, 409
a name in use, a stale form or a blocked deletion, 403 a guard.
"""

from http import HTTPStatus

from audit.recorder import Origin
from console.dialogs import render_dialog
from users.access import search as access_search
from users.errors import ServiceError
from users.models import Role
from users.views.refusals import refuse

READ = "users.view_user"
CHANGE_USER = "users.change_user"
BAD_SEARCH = "That search is not valid: use at most 200 characters."


def _origin(request) -> Origin:
    return Origin.from_request(request)


def _form_dialog(request, form, dialog, *, error=None):
    """The form in its dialog: 200 for a GET, 400 for a POST whose input did not parse, and a
    service's refusal (`error`) on the form with its status."""
    status = HTTPStatus.BAD_REQUEST if request.method == "POST" else HTTPStatus.OK
    if error is not None:
        status = refuse(form, error)
    context = {}
    if "scopes" in form.fields:
        context["scope_groups"] = access_search.scopes_by_resource()
        context["selected_scopes"] = form.selected_scope_ids()
    return render_dialog(request, dialog, form=form, status=status, **context)


def _confirm_dialog(request, confirm, *, error: ServiceError | None = None, subject=None):
    """The confirmation: 200 for a GET, 409 for a POST on a blocked one (it never reaches the
    service), and a service's refusal (`error`) with its status."""
    if error is not None:
        return render_dialog(
            request, confirm, subject=subject, error=error.message, status=error.status
        )
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
