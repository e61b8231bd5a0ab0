"""What the access pages share: the views that change something, and counts (lists: lists.py).

Every change is a `<dialog>` for htmx and the same form as its own page without JavaScript. A
view checks its permission, loads what it acts on (404 for unknown ids), parses its input with
a form, calls one verb of users.access (one module a concept) and answers (console.dialogs).
Success ends with a message and a reload of the page the dialog was opened on, or a move to the
new thing or the list; errors re-render the dialog by the rule of users/views/refusals.py: 400
invalid input, 409 a name in use, a stale form or a blocked deletion, 403 a guard.

The pages of a concept with its own detail page (roles, API resources, organizations,
applications; organization roles have none, their list is their page) are written the same way:
`CreateDialog`, `EditDialog` and `DeleteDialog` say "Create role", "Role “x” saved.", where
Cancel goes and where success leads from the class's `noun`, `list_url` and `detail_url`. A page
names its permission, model and form, and calls its verb in `save` or `act`.
"""

from http import HTTPStatus

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.views import View
from django.views.decorators.vary import vary_on_headers
from django.views.generic.detail import SingleObjectMixin

from audit.recorder import Origin
from console.dialogs import CONFIRM, FORM, Dialog, go, reload, render_dialog
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


# --- The views that change something ---------------------------------------------------------


@method_decorator(vary_on_headers("HX-Request"), name="dispatch")
class DialogView(View):
    """A dialog: GET shows it, POST acts. Other methods are 405, a user without
    `get_permission()` gets 403, and `load` finds what the dialog acts on (404) before anything
    else is done."""

    http_method_names = ["get", "post"]
    permission = ""

    def get_permission(self) -> str:
        return self.permission

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if not request.user.has_perm(self.get_permission()):
            raise PermissionDenied
        self.load()
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        """Find what the dialog acts on, from `self.kwargs`."""

    @property
    def origin(self) -> Origin:
        return Origin.from_request(self.request)


class FormDialog(DialogView):
    """A form in a dialog: a POST whose input parses calls `save` (one verb) and ends with
    `done`; a refusal re-renders the form with its status."""

    form_class = None

    def get_form(self, data):
        return self.form_class(data)

    def get_dialog(self) -> Dialog:
        raise NotImplementedError

    def save(self, form):
        raise NotImplementedError

    def done(self, saved):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return _form_dialog(request, self.get_form(None), self.get_dialog())

    def post(self, request, *args, **kwargs):
        form, dialog = self.get_form(request.POST), self.get_dialog()
        if not form.is_valid():
            return _form_dialog(request, form, dialog)
        try:
            saved = self.save(form)
        except (ValidationError, ServiceError) as error:
            return _form_dialog(request, form, dialog, error=error)
        return self.done(saved)


class ConfirmDialog(DialogView):
    """A confirmation: a POST calls `act` (one verb) and ends with `done`, unless the dialog is
    `blocked` (409); a refusal re-renders it with its status. `subject`: the user of the tab."""

    subject = None

    def get_dialog(self) -> Dialog:
        raise NotImplementedError

    def act(self):
        raise NotImplementedError

    def done(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return _confirm_dialog(request, self.get_dialog(), subject=self.subject)

    def post(self, request, *args, **kwargs):
        confirm = self.get_dialog()
        if confirm.blocked:
            return _confirm_dialog(request, confirm, subject=self.subject)
        try:
            self.act()
        except ServiceError as error:
            return _confirm_dialog(request, confirm, error=error, subject=self.subject)
        return self.done()


class ThingMixin(SingleObjectMixin):
    """One of a concept's things: its `model` (the permission is Django's "<action>_<model>", as
    the admin's), `noun` ("API resource"), its list's and its own page's URL names (without a
    detail page, the list is its page); `pk_url_kwarg` names its id in the URL."""

    action = ""  # add, change or delete
    noun = ""
    list_url = ""
    detail_url = ""
    title = ""  # when it is not "<Action> <noun>"
    intro = ""  # a line under the dialog's title

    def get_permission(self):
        opts = self.model._meta
        return f"{opts.app_label}.{get_permission_codename(self.action, opts)}"

    def load(self):
        if self.pk_url_kwarg in self.kwargs:
            self.object = self.get_object()

    def list_page(self) -> str:
        return reverse(self.list_url)

    def page_url(self, thing=None) -> str:
        """The page of `thing` (or of the one loaded), or the list when it has none."""
        if not self.detail_url:
            return self.list_page()
        return reverse(self.detail_url, args=[(thing or self.object).pk])

    def message(self, thing, done: str) -> str:
        return f"{capfirst(self.noun)} “{thing.name}” {done}."


class CreateDialog(ThingMixin, FormDialog):
    """Create one: "Create <noun>"; success goes to its page (or reloads the list)."""

    action = "add"

    def get_dialog(self):
        title = self.title or f"Create {self.noun}"
        return Dialog(
            FORM,
            title=title,
            intro=self.intro,
            url=self.request.path,
            submit=title,
            cancel=self.list_page(),
        )

    def done(self, thing):
        if self.detail_url:
            return go(self.request, self.message(thing, "created"), self.page_url(thing))
        return reload(self.request, self.message(thing, "created"), self.list_page())


class EditDialog(ThingMixin, FormDialog):
    """Edit the loaded thing: "Edit <noun>"; success reloads the page it was opened on."""

    action = "change"

    def get_dialog(self):
        return Dialog(
            FORM,
            title=f"Edit {self.noun}",
            intro=self.intro,
            url=self.request.path,
            submit="Save",
            cancel=self.page_url(),
        )

    def done(self, thing):
        return reload(self.request, self.message(thing, "saved"), self.page_url(thing))


class DeleteDialog(ThingMixin, ConfirmDialog):
    """Delete the loaded thing after a confirmation that says what else goes (`consequences`)
    or why it cannot (`blocked`); success goes to the list (or reloads it)."""

    action = "delete"

    def text(self) -> str:
        return f"Delete the {self.noun} “{self.object.name}”?"

    def consequences(self) -> tuple[str, ...]:
        return ()

    def blocked(self) -> str:
        return ""

    def get_dialog(self):
        return Dialog(
            CONFIRM,
            danger=True,
            title=f"Delete {self.noun}",
            text=self.text(),
            consequences=tuple(self.consequences()),
            blocked=self.blocked(),
            url=self.request.path,
            submit=f"Delete {self.noun}",
            cancel=self.page_url(),
        )

    def done(self):
        message = self.message(self.object, "deleted")
        if self.detail_url:  # its page is gone: to the list
            return go(self.request, message, self.list_page())
        return reload(self.request, message, self.list_page())


class RemoveDialog(ConfirmDialog):
    """Take something from a user or an application (a role, a membership): a "Remove"
    confirmation, then a reload of the page it was opened on (`back`)."""

    title = ""

    def text(self) -> str:
        raise NotImplementedError

    def back(self) -> str:
        raise NotImplementedError

    def removed(self) -> str:
        """The message after it."""
        raise NotImplementedError

    def get_dialog(self):
        return Dialog(
            CONFIRM,
            danger=True,
            title=self.title,
            text=self.text(),
            url=self.request.path,
            submit="Remove",
            cancel=self.back(),
        )

    def done(self):
        return reload(self.request, self.removed(), self.back())
