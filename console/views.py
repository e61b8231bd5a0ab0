import sys
from http import HTTPStatus

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.views.decorators.http import require_GET

from console.forms import AdminSignInForm


class _SignInView(auth_views.LoginView):
    def form_invalid(self, form):
        # A refused sign-in is a 400 like every other refused form (same body, same message).
        response = super().form_invalid(form)
        response.status_code = HTTPStatus.BAD_REQUEST
        return response


sign_in = _SignInView.as_view(
    template_name="console/sign_in.html",
    authentication_form=AdminSignInForm,
    redirect_authenticated_user=True,
)
sign_out = auth_views.LogoutView.as_view()


@require_GET
def home(request):
    return redirect("users:list")


@login_not_required
@require_GET
def health(request):
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """500 handler; a database outage becomes a 503 that says so, without touching the database.

    Only a lost or refused connection is an outage. DataError, IntegrityError, ProgrammingError
    are bugs (or input that should have been refused earlier): a 500, so they get fixed."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, (OperationalError, InterfaceError))
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        code = "database.unavailable" if unavailable else "unexpected_error"
        return JsonResponse({"code": code, "message": _MESSAGES[unavailable]}, status=status)
    body = loader.render_to_string(
        "console/error.html", {"status": status, "message": _MESSAGES[unavailable]}
    )
    response = HttpResponse(body, status=status)
    if unavailable:
        response["Retry-After"] = "30"
    return response


_MESSAGES = {
    True: "The database is unavailable right now. Nothing was changed; try again in a moment.",
    False: "Something went wrong on our side. Nothing was changed; try again in a moment.",
}
