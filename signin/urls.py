"""The end-user pages: /sign-in, /consent (see signin/pages.py and signin/views_oidc.py)."""

from django.urls import path

from signin import pages, views_oidc

app_name = "signin"

urlpatterns = [
    path("sign-in", pages.sign_in, name="sign-in"),
    path("sign-in/mfa", pages.sign_in_mfa, name="sign-in-mfa"),
    path("sign-in/done", pages.signed_in, name="signed-in"),
    path("consent", views_oidc.consent, name="consent"),
]
