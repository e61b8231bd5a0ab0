"""The OpenID provider's endpoints. For now: the token endpoint (client credentials)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import TokenView


def access_token_lifetime(request) -> int:
    """Seconds an access token lives (oauthlib asks per request): MANAGEMENT_API_TOKEN_SECONDS
    for machine-to-machine tokens, oauth2_provider's setting for the others."""
    if request.grant_type == "client_credentials":
        return settings.MANAGEMENT_API_TOKEN_SECONDS
    return oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS


class GatehouseTokenView(TokenView):
    @classmethod
    def get_server(cls):
        kwargs = {**oauth2_settings.server_kwargs, "token_expires_in": access_token_lifetime}
        return cls.get_server_class()(cls.get_validator_class()(), **kwargs)


_token_view = GatehouseTokenView.as_view()


@csrf_exempt
@login_not_required
@sensitive_post_parameters("client_secret")
def token(request):
    """POST /oidc/token: oauth2_provider's token endpoint with our validator; JSON for every
    answer, a wrong method included. No session, no cookie, no redirect."""
    if request.method != "POST":
        response = JsonResponse(
            {"error": "invalid_request", "error_description": "Use POST."}, status=405
        )
        response["Allow"] = "POST"
        return response
    response = _token_view(request)
    # oauthlib's bodies are JSON, but an error raised while saving comes without the header.
    response["Content-Type"] = "application/json"
    response["Cache-Control"] = "no-store"
    return response
