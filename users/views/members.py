"""The Members page (`/console/members`): console staff and their roles, for admins only.

Add (a new account, its one-time password shown once in the same reveal dialog as Add user),
add an existing user, change role, remove access: each a `<dialog>` for htmx and its own page
without JavaScript. A form that does not parse answers 400, a taken identifier or an existing
member 409, a refused act (your own role, the last admin) 403, each with the dialog as the body.
"""

from functools import wraps
from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from audit.recorder import Origin
from console.dialogs import CONFIRM, FORM, Dialog, is_fragment, posted, render_dialog, render_page
from users import staff
from users.errors import ServiceError
from users.models import User
from users.staff_forms import AddMemberForm, GrantMemberForm, MemberRoleForm
from users.views.dialogs import ConfirmDialog, FormDialog
from users.views.refusals import refuse


def superuser_required(view):
    """Members are managed by admins only: 403 for every other staff member."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _get_member_or_404(user_id: str) -> User:
    # An id that cannot exist is a 404 before the database sees it (PostgreSQL refuses NUL).
    if "\x00" in user_id or len(user_id) > User._meta.pk.max_length:
        raise Http404("No such member")
    try:
        return staff.list_staff().get(pk=user_id)
    except (User.DoesNotExist, ValueError):
        raise Http404("No such member") from None


def _done(request, message):
    messages.success(request, message)
    return HttpResponseClientRefresh() if request.htmx else redirect("members:list")


def _form_dialog(request, form, *, status=HTTPStatus.OK, **dialog):
    dialog.setdefault("cancel", reverse("members:list"))
    return render_dialog(request, Dialog(FORM, **dialog), form=form, status=status)


@require_GET
@superuser_required
@vary_on_headers("HX-Request")
def member_list(request):
    members = [(m, staff.ROLE_LABELS.get(staff.role_of(m))) for m in staff.list_staff()]
    context = {"members": members}
    fragment = "member-table" if is_fragment(request, "member-table") else None
    return render_page(request, "members/member_list.html", fragment, context)


@never_cache
@require_http_methods(["GET", "POST"])
@superuser_required
@vary_on_headers("HX-Request")
@sensitive_variables("created", "context")
def member_new(request):
    dialog = {
        "title": "Add member",
        "intro": "A new account for the console. Give an email or a username; "
        "a password is generated and shown once.",
        "url": reverse("members:new"),
        "submit": "Add member",
    }
    form = AddMemberForm(posted(request))
    if request.method != "POST":
        return _form_dialog(request, form, **dialog)
    if not form.is_valid():
        return _form_dialog(request, form, status=HTTPStatus.BAD_REQUEST, **dialog)
    origin = Origin.from_request(request)
    try:
        created = staff.create_staff(origin=origin, **form.cleaned_data)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, status=refuse(form, error), **dialog)
    context = {
        "created_user": created.user,
        "password": created.password,
        "created_title": "Member added",
        "created_intro": "Copy these sign-in details now and send them to the new member "
        "securely. They sign in at the console's sign-in page.",
        "refresh_event": "membersChanged",
        "done_url": reverse("members:list"),
    }
    return render_page(request, "users/user_created.html", "user-created", context)


class MemberDialog:
    """A dialog about a member (admins only, as `superuser_required`): Cancel goes back to the
    list, and success reloads it with a message."""

    def has_permission(self) -> bool:
        return self.request.user.is_superuser

    def load(self):
        if "user_id" in self.kwargs:
            self.member = _get_member_or_404(self.kwargs["user_id"])
            self.label = self.member.name or self.member.display_identifier or self.member.pk


class MemberGrant(MemberDialog, FormDialog):
    form_class = GrantMemberForm

    def get_dialog(self):
        return Dialog(
            FORM,
            title="Add existing user",
            intro="Give a user who has an account console access. "
            "They sign in with their own email or username and password.",
            url=self.request.path,
            submit="Give access",
            cancel=reverse("members:list"),
        )

    def save(self, form):
        identifier, self.role = form.cleaned_data["identifier"], form.cleaned_data["role"]
        return staff.grant_staff(identifier, origin=self.origin, role=self.role)

    def done(self, user):
        message = f"{user.display_identifier or user.pk} is now a console {self.role}."
        if not user.has_usable_password():
            message += " They have no password yet: reset it from their user page to give them one."
        return _done(self.request, message)


class MemberRole(MemberDialog, FormDialog):
    def get_form(self, data):
        return MemberRoleForm(data, initial={"role": staff.role_of(self.member)})

    def get_dialog(self):
        return Dialog(
            FORM,
            title="Change role",
            intro=f"What may {self.label} do in the console?",
            url=self.request.path,
            submit="Change role",
            cancel=reverse("members:list"),
        )

    def save(self, form):
        role = form.cleaned_data["role"]
        staff.change_staff_role(self.member, role, origin=self.origin)
        return role

    def done(self, role):
        return _done(self.request, f"{self.label} is now a console {role}.")


class MemberRemove(MemberDialog, ConfirmDialog):
    def load(self):
        super().load()
        self.subject = self.member

    def get_dialog(self):
        return Dialog(
            CONFIRM,
            title="Remove console access",
            text=f"{self.label} will no longer be able to sign in to the console. Their user "
            "account stays.",
            consequences=("Their open console sessions end now.", "Their role is removed."),
            url=self.request.path,
            submit="Remove access",
            cancel=reverse("members:list"),
            danger=True,
        )

    def act(self):
        staff.remove_staff_access(self.member, origin=self.origin)

    def done(self):
        return _done(self.request, f"{self.label} can no longer sign in to the console.")
