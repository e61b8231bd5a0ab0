"""A tiny Management-API-shaped NinjaAPI, so the credential checks are tested on their own."""

from django.http import JsonResponse
from django.urls import path
from ninja import NinjaAPI

from console.urls import urlpatterns as project_urlpatterns
from signin.management import ManagementApiAuth, ManagementAuthError

api = NinjaAPI(auth=ManagementApiAuth(), urls_namespace="signin-test-api", docs_url=None)


@api.exception_handler(ManagementAuthError)
def refused(request, exc):
    return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)


@api.get("/whoami")
def whoami(request):
    return {"clientId": request.management_app.client_id}


patterns, app_name, namespace = api.urls
for pattern in patterns:
    pattern.callback.login_required = False  # the console's sign-in rule is not the API's

urlpatterns = [path("test-api/", (patterns, app_name, namespace)), *project_urlpatterns]
