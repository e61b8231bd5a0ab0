"""Make end-user sessions and grants as the provider's flow does, without going through it."""

from datetime import timedelta

from django.test import RequestFactory
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from signin import sessions
from signin.tokens import generate_access_token
from tests.factories import ApplicationFactory

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def sign_in_browser(client, user, *, application=None, ip="203.0.113.7", ua=BROWSER_UA):
    """Sign `user` in on the test `client` (a real Django session) and start its session row,
    as /sign-in does after login()."""
    client.force_login(user)
    request = RequestFactory().get("/sign-in", REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)
    request.session = client.session
    row = sessions.start_session(request, user, application=application)
    request.session.save()
    return row


def browser_request(client, *, ip="203.0.113.7"):
    """A request carrying the client's session, to ask touch_session about it."""
    request = RequestFactory().get("/oidc/auth", REMOTE_ADDR=ip)
    request.session = client.session
    return request


def give_grant(user, application=None, *, ip="198.51.100.4", ua="Mobile Safari"):
    """An application holding an access and a refresh token for `user`, with its grant row.
    Returns (row, access token, refresh token)."""
    application = application or ApplicationFactory(name="Recipes")
    access = get_access_token_model().objects.create(
        user=user,
        application=application,
        token=generate_access_token(),
        expires=timezone.now() + timedelta(hours=1),
        scope="openid profile offline_access",
    )
    refresh = get_refresh_token_model().objects.create(
        user=user, application=application, token=generate_access_token(), access_token=access
    )
    request = RequestFactory().get("/oidc/auth", REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)
    row = sessions.touch_grant(user, application, request=request)
    return row, access, refresh
