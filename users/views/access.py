from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from users.views.directory import get_user_or_404


@require_GET
@permission_required("users.view_user", raise_exception=True)
def user_roles(request, user_id):
    subject = get_user_or_404(user_id)
    return render(request, "users/user_tab_placeholder.html", {"subject": subject, "tab": "roles"})


@require_GET
@permission_required("users.view_user", raise_exception=True)
def user_organizations(request, user_id):
    subject = get_user_or_404(user_id)
    return render(
        request, "users/user_tab_placeholder.html", {"subject": subject, "tab": "organizations"}
    )


def _placeholder(title):
    @require_GET
    @permission_required("users.view_user", raise_exception=True)
    def view(request):
        return render(request, "users/access_placeholder.html", {"title": title})

    return view


role_list = _placeholder("Roles")
resource_list = _placeholder("API resources")
organization_list = _placeholder("Organizations")
application_list = _placeholder("Applications")
