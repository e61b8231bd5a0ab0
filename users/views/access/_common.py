"""What the access pages share: counts, and the dialogs of a concept's things (the lists are in
lists.py, the dialog views in users/views/dialogs.py).

The pages of a concept with its own detail page (roles, API resources, organizations,
applications; organization roles have none, their list is their page) are written the same way:
`CreateDialog`, `EditDialog` and `DeleteDialog` say "Create role", "Role “x” saved.", where
Cancel goes and where success leads from the class's `noun`, `list_url` and `detail_url`; the
permission is Django's "<action>_<model>". A page names its model and form, and calls its verb
of users.access in `save` or `act`.
"""

from django.contrib.auth import get_permission_codename
from django.urls import reverse
from django.utils.text import capfirst
from django.views.generic.detail import SingleObjectMixin

from audit.recorder import Origin
from console.dialogs import CONFIRM, FORM, Dialog, go, reload
from users.access import search as access_search
from users.models import Role
from users.views.dialogs import ConfirmDialog, FormDialog

READ = "users.view_user"
CHANGE_USER = "users.change_user"
BAD_SEARCH = "That search is not valid: use at most 200 characters."


def _origin(request) -> Origin:
    return Origin.from_request(request)


def _count_text(count: tuple[int, bool], one: str, many: str) -> str:
    number, more = count
    label = one if number == 1 and not more else many
    return f"{number:,}{'+' if more else ''} {label}"


def _valid_roles(ids):
    """The roles among `ids` that exist (to keep a rejected form's ticks)."""
    ids = [i for i in ids if isinstance(i, str) and i.isalnum() and len(i) <= 21]
    return list(Role.objects.filter(pk__in=ids[:200]))


# --- The dialogs of a concept's things ------------------------------------------------------


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

    def form_context(self, form):
        """A role's form ticks permissions: every API resource's, grouped."""
        if "scopes" not in form.fields:
            return {}
        return {
            "scope_groups": access_search.scopes_by_resource(),
            "selected_scopes": form.selected_scope_ids(),
        }


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


class RoleRemoveDialog(RemoveDialog):
    """Take a role (`self.role`, found by `load`) from a user or an application."""

    title = "Remove role"

    def removed(self) -> str:
        return f"Role “{self.role.name}” removed."
