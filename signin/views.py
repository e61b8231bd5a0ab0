"""The OpenID provider's endpoints. For now: the token endpoint (client credentials)."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.views import TokenView

_token_view = TokenView.as_view()


@csrf_exempt
@login_not_required
def token(request):
    """POST /oidc/token: oauth2_provider's token endpoint with our validator; JSON for every
    answer, a wrong method included. No session, no cookie, no redirect."""
    if request.method != "POST":
        response = JsonResponse(
            {"error": "invalid_request", "error_description": "Use POST."}, status=405
        )
        response["Allow"] = "POST"
        return response
    return _token_view(request)
