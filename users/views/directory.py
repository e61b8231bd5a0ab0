from http import HTTPStatus

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import is_fragment
from users import search, services
from users.forms import AddUserForm, UserSearchForm
from users.models import User
from users.views.refusals import refusal_status


def get_user_or_404(user_id: str) -> User:
    try:
        return User.objects.select_related("application").get(pk=user_id)
    except (User.DoesNotExist, ValueError):
        raise Http404("No such user") from None


@require_GET
@permission_required("users.view_user", raise_exception=True)
@vary_on_headers("HX-Request")
def user_list(request):
    form = UserSearchForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "result": None}
        return render(request, "users/user_list.html", context, status=HTTPStatus.BAD_REQUEST)
    result = search.search_users(
        form.cleaned_data["search"],
        page=form.cleaned_data["page"],
        page_size=form.cleaned_data["page_size"],
    )
    context = {"form": form, "result": result}
    template = "users/user_list.html"
    if is_fragment(request, "user-table"):
        template += "#user-table"
    return render(request, template, context)


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required("users.add_user", raise_exception=True)
@vary_on_headers("HX-Request")
@sensitive_variables("created", "context")
def user_new(request):
    fragment = "#add-user" if is_fragment(request) else ""
    status = HTTPStatus.OK
    if request.method == "POST":
        form = AddUserForm(request.POST)
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            try:
                created = services.create_user(
                    origin=Origin.from_request(request), generate=True, **form.cleaned_data
                )
            except ValidationError as error:
                status = refusal_status(error)
                form.add_error(None, error)
            else:
                context = {"created_user": created.user, "password": created.password}
                fragment = "#user-created" if is_fragment(request) else ""
                return render(request, "users/user_created.html" + fragment, context)
    else:
        form = AddUserForm()
    return render(request, "users/user_new.html" + fragment, {"form": form}, status=status)
