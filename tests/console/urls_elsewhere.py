"""A second URL configuration for tests/console/test_cached_url.py."""

from django.http import HttpResponse
from django.urls import include, path


def _ok(request):
    return HttpResponse()


urlpatterns = [path("elsewhere/", include(([path("users", _ok, name="list")], "users")))]
