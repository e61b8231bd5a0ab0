import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# How stale the "last seen" mark may get before it is written again: one session write a minute
# at most, instead of one per request.
SEEN_RESOLUTION_SECONDS = 60


def mark_signed_in(sender, request, user, **kwargs):
    """At sign-in, start both session clocks (connected to `user_logged_in` in ConsoleConfig)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


class SessionTimeoutMiddleware:
    """End a console session after SESSION_IDLE_SECONDS without a request, and
    SESSION_ABSOLUTE_SECONDS after sign-in however active it has been; end for good a session
    whose user may no longer sign in (suspended or deleted)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and SESSION_KEY in request.session:
            # Django refused the session's user (suspended, deleted) but keeps the session: delete
            # it, so reactivating the user cannot bring this cookie back to life.
            request.session.flush()
        elif request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            if (
                now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS
                or now - seen_at > settings.SESSION_IDLE_SECONDS
            ):
                logout(request)
                return redirect(settings.LOGIN_URL)
            if SEEN_AT not in session or now - seen_at >= SEEN_RESOLUTION_SECONDS:
                session[SEEN_AT] = now  # saving also pushes the session's expiry forward
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
