"""The API resources pages and their permissions (scopes)."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from console.dialogs import reload
from users.access.forms import ApiResourceForm, ScopeForm
from users.access.resources import (
    create_resource,
    create_scope,
    delete_resource,
    delete_scope,
    resource_dependents,
    scope_dependents,
    update_resource,
    update_scope,
)
from users.models import ApiResource, Scope
from users.views.access._common import READ, CreateDialog, DeleteDialog, EditDialog

# --- API resources ---------------------------------------------------------------------------


@require_GET
@permission_required(READ, raise_exception=True)
def resource_detail(request, resource_id):
    resource = get_object_or_404(ApiResource, pk=resource_id)
    scopes = resource.scopes.order_by("name")
    return render(request, "access/resource_detail.html", {"resource": resource, "scopes": scopes})


class ResourcePage:
    """What the API resources' dialogs share (users/views/access/_common.py)."""

    model = ApiResource
    pk_url_kwarg = "resource_id"
    form_class = ApiResourceForm
    noun = "API resource"
    list_url = "access:api-resources"
    detail_url = "access:api-resource-detail"


class ResourceNew(ResourcePage, CreateDialog):
    def save(self, form):
        return create_resource(origin=self.origin, **form.cleaned_data)


class ResourceEdit(ResourcePage, EditDialog):
    @property
    def intro(self):
        return f"API identifier: {self.object.indicator} (fixed)."

    def get_form(self, data):
        return ApiResourceForm(data, editing=True, initial={"name": self.object.name})

    def save(self, form):
        return update_resource(self.object, origin=self.origin, **form.cleaned_data)


class ResourceDelete(ResourcePage, DeleteDialog):
    def text(self):
        return f"Delete the API resource “{self.object.name}” ({self.object.indicator})?"

    def blocked(self):
        dependents = resource_dependents(self.object)
        in_use = dependents["roles"] + dependents["organization_roles"]
        if not in_use:
            return ""
        names = ", ".join(f"“{r.name}”" for r in in_use[:10])
        return (
            f"It cannot be deleted while roles grant its permissions: {names}"
            f"{' and more' if len(in_use) > 10 else ''}. Remove those permissions from the roles "
            "first, so nobody loses access by surprise."
        )

    def consequences(self):
        count = self.object.scopes.count()
        return (f"Its {count} permission{'' if count == 1 else 's'} are deleted with it.",)

    def act(self):
        delete_resource(self.object, origin=self.origin)


# --- The permissions (scopes) of an API resource: its page is theirs --------------------------


class ScopePage:
    """What the permissions' dialogs share: they are opened on their API resource's page, and
    every success reloads it."""

    model = Scope
    pk_url_kwarg = "scope_id"
    form_class = ScopeForm
    noun = "permission"

    def load(self):
        resource_id = self.kwargs["resource_id"]
        if self.pk_url_kwarg in self.kwargs:
            scopes = Scope.objects.select_related("resource").filter(resource_id=resource_id)
            self.object = self.get_object(scopes)
            self.resource = self.object.resource
        else:
            self.resource = get_object_or_404(ApiResource, pk=resource_id)

    @property
    def intro(self):
        return f"A permission of {self.resource.name} ({self.resource.indicator})."

    def list_page(self):
        return reverse("access:api-resource-detail", args=[self.resource.pk])


class ScopeNew(ScopePage, CreateDialog):
    title = "Add permission"

    def save(self, form):
        return create_scope(self.resource, origin=self.origin, **form.cleaned_data)

    def done(self, scope):
        return reload(self.request, self.message(scope, "added"), self.list_page())


class ScopeEdit(ScopePage, EditDialog):
    def get_form(self, data):
        initial = {"name": self.object.name, "description": self.object.description}
        return ScopeForm(data, initial=initial)

    def save(self, form):
        return update_scope(self.object, origin=self.origin, **form.cleaned_data)


class ScopeDelete(ScopePage, DeleteDialog):
    def text(self):
        return f"Delete the permission “{self.object.name}” of {self.resource.name}?"

    def consequences(self):
        dependents = scope_dependents(self.object)
        labels = (("Roles", "roles"), ("Organization roles", "organization_roles"))
        return [
            f"{label} that grant it no longer will (cascade): "
            + ", ".join(f"“{r.name}”" for r in dependents[key])
            for label, key in labels
            if dependents[key]
        ] or ["No role grants it."]

    def act(self):
        delete_scope(self.object, origin=self.origin)
