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


@require_http_methods(["GET", "POST"])
@superuser_required
@vary_on_headers("HX-Request")
def member_grant(request):
    dialog = {
        "title": "Add existing user",
        "intro": "Give a user who has an account console access. "
        "They sign in with their own email or username and password.",
        "url": reverse("members:grant"),
        "submit": "Give access",
    }
    form = GrantMemberForm(posted(request))
    if request.method != "POST":
        return _form_dialog(request, form, **dialog)
    if not form.is_valid():
        return _form_dialog(request, form, status=HTTPStatus.BAD_REQUEST, **dialog)
    origin = Origin.from_request(request)
    data = form.cleaned_data
    try:
        user = staff.grant_staff(data["identifier"], origin=origin, role=data["role"])
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, status=refuse(form, error), **dialog)
    message = f"{user.display_identifier or user.pk} is now a console {data['role']}."
    if not user.has_usable_password():
        message += " They have no password yet: reset it from their user page to give them one."
    return _done(request, message)


@require_http_methods(["GET", "POST"])
@superuser_required
@vary_on_headers("HX-Request")
def member_role(request, user_id):
    member = _get_member_or_404(user_id)
    label = member.name or member.display_identifier or member.pk
    dialog = {
        "title": "Change role",
        "intro": f"What may {label} do in the console?",
        "url": reverse("members:role", args=[member.pk]),
        "submit": "Change role",
    }
    if request.method != "POST":
        form = MemberRoleForm(initial={"role": staff.role_of(member)})
        return _form_dialog(request, form, **dialog)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _form_dialog(request, form, status=HTTPStatus.BAD_REQUEST, **dialog)
    role = form.cleaned_data["role"]
    origin = Origin.from_request(request)
    try:
        staff.change_staff_role(member, role, origin=origin)
    except (ValidationError, ServiceError) as error:
        return _form_dialog(request, form, status=refuse(form, error), **dialog)
    return _done(request, f"{label} is now a console {role}.")


@require_http_methods(["GET", "POST"])
@superuser_required
@vary_on_headers("HX-Request")
def member_remove(request, user_id):
    member = _get_member_or_404(user_id)
    label = member.name or member.display_identifier or member.pk
    dialog = Dialog(
        CONFIRM,
        title="Remove console access",
        text=f"{label} will no longer be able to sign in to the console. Their user account stays.",
        consequences=("Their open console sessions end now.", "Their role is removed."),
        url=reverse("members:remove", args=[member.pk]),
        submit="Remove access",
        cancel=reverse("members:list"),
        danger=True,
    )
    if request.method == "POST":
        try:
            staff.remove_staff_access(member, origin=Origin.from_request(request))
        except ServiceError as error:
            return render_dialog(
                request, dialog, subject=member, error=error.message, status=error.status
            )
        return _done(request, f"{label} can no longer sign in to the console.")
    return render_dialog(request, dialog, subject=member)
