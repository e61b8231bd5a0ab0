import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

SIGNED_IN_AT = "signed_in_at"


class SessionTimeoutMiddleware:
    """End a console session a fixed time after sign-in, however active it has been.

    The idle timeout is Django's own (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class StaffRequiredMiddleware(LoginRequiredMiddleware):
    """The whole console is for staff: anonymous visitors are sent to sign in, signed-in
    non-staff (or suspended) users get 403. Views marked @login_not_required stay open."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if user.is_authenticated and not (user.is_staff and user.is_active):
            raise PermissionDenied
        if not user.is_authenticated:
            return self.handle_no_permission(request, view_func)
        return None

    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        if request.headers.get("HX-Request") == "true":
            # htmx would swap the sign-in page into a fragment; send the whole window there.
            return HttpResponseClientRedirect(response.url)
        return response
