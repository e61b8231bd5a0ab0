"""/oidc/...: the OpenID provider's endpoints, named as oauth2_provider's discovery expects."""

from django.urls import path, re_path

from signin import views_oidc

app_name = "oauth2_provider"

urlpatterns = [
    re_path(
        r"^\.well-known/openid-configuration$",
        views_oidc.discovery,
        name="oidc-connect-discovery-info",
    ),
    # RFC 8414 metadata; its location also makes the authorization response's `iss` {base}/oidc.
    path(
        ".well-known/oauth-authorization-server",
        views_oidc.server_metadata,
        name="oauth-server-metadata",
    ),
    path("jwks", views_oidc.jwks, name="jwks-info"),
    path("auth", views_oidc.authorize, name="authorize"),
    path("token", views_oidc.token, name="token"),
    path("token/introspection", views_oidc.introspection, name="introspect"),
    path("token/revocation", views_oidc.revocation, name="revoke-token"),
    path("me", views_oidc.userinfo, name="user-info"),
    path("session/end", views_oidc.end_session, name="rp-initiated-logout"),
]
