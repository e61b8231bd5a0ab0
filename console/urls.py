from django.urls import include, path

from console import views
from signin import views as signin_views

console_patterns = (
    [
        path("sign-in", views.sign_in, name="sign-in"),
        path("sign-out", views.sign_out, name="sign-out"),
    ],
    "console",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("console/", include(console_patterns)),
    # Before users.urls: "users/bulk" would otherwise read as a user id.
    path("console/", include("users.job_urls")),
    path("console/", include("users.urls")),
    path("console/", include("users.access.urls")),
    path("console/", include("audit.urls")),
    path("console/", include("users.staff_urls")),
    path("healthz", views.health, name="health"),
    path("readyz", views.readiness, name="readiness"),
    path("", include("console.api")),  # /api/... (the Management API; never redirects)
    # The OpenID provider (signin/oidc_urls.py: /oidc/token there too) and the end-user pages.
    path("oidc/", include("signin.oidc_urls")),
    path("", include("signin.urls")),
    path("oidc/token", signin_views.token, name="oidc-token"),
]

handler500 = "console.views.server_error"
