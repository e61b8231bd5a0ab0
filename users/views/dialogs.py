"""The console's dialogs as class-based views: one way to confirm an act or submit a form.

A dialog is a `<dialog>` for htmx and the same form as its own page without JavaScript
(console.dialogs renders it). The view class says what it needs and does: its `permission`,
`load` (what it acts on, 404 when unknown), `get_dialog` (what it says), then one service call
(`act` for a confirmation, `save` for a form) and `done` (reload the page, or go elsewhere). The
answers to a refusal are the same everywhere (users/views/refusals.py): a form that does not
parse is 400, a service's refusal carries its status (409 a conflict, 403 a guard), a blocked
confirmation is 409; never 200 with an error inside.
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import Dialog, render_dialog
from users.errors import ServiceError
from users.views.refusals import refuse


@method_decorator(vary_on_headers("HX-Request"), name="dispatch")
class DialogView(View):
    """A dialog: GET shows it, POST acts. Other methods are 405, a user without
    `get_permission()` gets 403, and `load` finds what the dialog acts on (404) before anything
    else is done. `subject`: the user whose page the dialog belongs to, if any."""

    http_method_names = ["get", "post"]
    permission = ""
    subject = None

    def get_permission(self) -> str:
        return self.permission

    def has_permission(self) -> bool:
        return self.request.user.has_perm(self.get_permission())

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if not self.has_permission():
            raise PermissionDenied
        self.load()
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        """Find what the dialog acts on, from `self.kwargs`."""

    def get_dialog(self) -> Dialog:
        raise NotImplementedError

    @property
    def origin(self) -> Origin:
        return Origin.from_request(self.request)


class FormDialog(DialogView):
    """A form in a dialog: a POST whose input parses calls `save` (one verb) and ends with
    `done`; otherwise the form comes back, 400 for input that does not parse, and a refusal of
    the service on the form with its status."""

    form_class = None

    def get_form(self, data):
        return self.form_class(data)

    def form_context(self, form) -> dict:
        """More for the dialog's template."""
        return {}

    def save(self, form):
        raise NotImplementedError

    def done(self, saved):
        raise NotImplementedError

    def show(self, form, dialog, *, error: ValidationError | ServiceError | None = None):
        status = HTTPStatus.BAD_REQUEST if self.request.method == "POST" else HTTPStatus.OK
        if error is not None:
            status = refuse(form, error)
        context = self.form_context(form)
        return render_dialog(
            self.request, dialog, form=form, status=status, subject=self.subject, **context
        )

    def get(self, request, *args, **kwargs):
        return self.show(self.get_form(None), self.get_dialog())

    def post(self, request, *args, **kwargs):
        form, dialog = self.get_form(request.POST), self.get_dialog()
        if not form.is_valid():
            return self.show(form, dialog)
        try:
            saved = self.save(form)
        except (ValidationError, ServiceError) as error:
            return self.show(form, dialog, error=error)
        return self.done(saved)


class ConfirmDialog(DialogView):
    """A confirmation: a POST calls `act` (one verb) and ends with `done`, unless the dialog is
    `blocked` (409); a refusal of the service shows the dialog again with its message and
    status."""

    def act(self):
        raise NotImplementedError

    def done(self):
        raise NotImplementedError

    def show(self, confirm, *, error: ServiceError | None = None):
        if error is not None:
            return render_dialog(
                self.request,
                confirm,
                subject=self.subject,
                error=error.message,
                status=error.status,
            )
        status = HTTPStatus.CONFLICT if self.request.method == "POST" else HTTPStatus.OK
        return render_dialog(self.request, confirm, subject=self.subject, status=status)

    def get(self, request, *args, **kwargs):
        return self.show(self.get_dialog())

    def post(self, request, *args, **kwargs):
        confirm = self.get_dialog()
        if confirm.blocked:
            return self.show(confirm)
        try:
            self.act()
        except ServiceError as error:
            return self.show(confirm, error=error)
        return self.done()
