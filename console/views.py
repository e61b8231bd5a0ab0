import sys
from http import HTTPStatus

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from audit.models import Log
from audit.recorder import Origin, record
from console import health as probes
from console.forms import AdminSignInForm


class SignInView(auth_views.LoginView):
    """Django's sign-in view (safe `next`, session rotation, CSRF, never cached), plus: a refused
    form answers 400 (429 with Retry-After when throttled), and every attempt is audited."""

    template_name = "console/sign_in.html"
    authentication_form = AdminSignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)  # signs in and rotates the session id
        form.signed_in()
        record("SignIn", origin=Origin.from_request(self.request), user=form.get_user())
        return response

    def form_invalid(self, form):
        if form.failure:  # a counted attempt, not a form with a field missing
            record(
                "SignIn",
                origin=Origin.from_request(self.request),
                user=form.account,
                result=Log.Result.ERROR,
                payload={"error": form.failure},
            )
        response = super().form_invalid(form)
        if form.failure == "throttled":
            response.status_code = HTTPStatus.TOO_MANY_REQUESTS
            response["Retry-After"] = str(form.throttle.retry_after())
        else:
            response.status_code = HTTPStatus.BAD_REQUEST
        return response


sign_in = SignInView.as_view()
sign_out = auth_views.LogoutView.as_view()


@require_GET
def home(request):
    return redirect("users:list")


@login_not_required
@require_safe
@never_cache
def health(request):
    """Liveness: the process answers. Touches nothing else, so a database outage never fails it."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_safe
@never_cache
def readiness(request):
    """Readiness: 200 when the database (and Redis, when configured) answer, else 503."""
    checks = probes.readiness()
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE,
    )


def server_error(request):
    """500 handler; a database outage becomes a 503 that says so, without touching the database."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, DatabaseError)
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
