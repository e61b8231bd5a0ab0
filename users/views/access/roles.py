"""The Roles pages: list, detail, new, edit, delete."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from users.access import search as access_search
from users.access.forms import RoleForm
from users.access.roles import create_role, delete_role, update_role
from users.models import Role
from users.views.access._common import READ, CreateDialog, DeleteDialog, EditDialog, _count_text


@require_GET
@permission_required(READ, raise_exception=True)
def role_detail(request, role_id):
    role = get_object_or_404(Role, pk=role_id)
    context = {
        "role": role,
        "scope_groups": access_search.scopes_by_resource(role.scopes.all()),
        "users": _count_text(access_search.count_capped(role.assignments.all()), "user", "users"),
    }
    return render(request, "access/role_detail.html", context)


class RolePage:
    """What the Roles dialogs share (users/views/access/_common.py)."""

    model = Role
    pk_url_kwarg = "role_id"
    form_class = RoleForm
    noun = "role"
    list_url = "access:roles"
    detail_url = "access:role-detail"


class RoleNew(RolePage, CreateDialog):
    def save(self, form):
        return create_role(origin=self.origin, **form.cleaned_data)


class RoleEdit(RolePage, EditDialog):
    def get_form(self, data):
        return RoleForm(data, role=self.object)

    def save(self, form):
        return update_role(self.object, origin=self.origin, **form.cleaned_data)


class RoleDelete(RolePage, DeleteDialog):
    def text(self):
        return f"{super().text()} This cannot be undone; the audit log keeps a record."

    def consequences(self):
        if self.object.type != Role.Type.USER:
            return ()
        users = _count_text(
            access_search.count_capped(self.object.assignments.all()), "user", "users"
        )
        return (
            f"It is removed from {users} who have it (cascade): "
            "they lose its permissions unless another role grants them.",
        )

    def act(self):
        delete_role(self.object, origin=self.origin)
