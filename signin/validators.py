"""Our rules on top of oauth2_provider's OAuth2Validator (OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]).

Client credentials (machine-to-machine applications): the `resource` must be the Management API
indicator (else `invalid_target`), the scopes asked for must be ones the application's roles grant
on it (else `invalid_scope`; none asked for means all it holds), and the token is saved only if
the secret it was authenticated with is still the application's (a rotation in between wins).
"""

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from users.models import Application, Scope


def _granted_scopes(application, indicator) -> set[str]:
    return set(
        Scope.objects.filter(
            resource__indicator=indicator,
            roles__type="MachineToMachine",
            roles__application_assignments__application=application,
        ).values_list("name", flat=True)
    )


class GatehouseValidator(OAuth2Validator):
    def _load_application(self, client_id, request):
        # PostgreSQL (psycopg 3) refuses NUL bytes with a DataError, not the ValueError
        # oauth2_provider expects: no client id holds one, so it is simply unknown.
        if not isinstance(client_id, str) or "\x00" in client_id or len(client_id) > 255:
            return None
        return super()._load_application(client_id, request)

    def _management_resource(self, request) -> str:
        self._check_and_set_request_resource(request)  # a list of absolute URIs, or invalid_target
        indicator = settings.MANAGEMENT_API_INDICATOR
        if request.resource != [indicator]:
            raise errors.CustomOAuth2Error(
                error="invalid_target",
                description=f"Machine-to-machine tokens are issued for resource {indicator} only.",
                request=request,
            )
        return indicator

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        if request.grant_type == "client_credentials":
            return sorted(_granted_scopes(request.client, self._management_resource(request)))
        return super().get_default_scopes(client_id, request, *args, **kwargs)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if request.grant_type == "client_credentials":
            granted = _granted_scopes(client, self._management_resource(request))
            return bool(scopes) and set(scopes) <= granted
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        if request.grant_type == "client_credentials":
            # Inside save_bearer_token's transaction: lock the application and make sure the
            # secret we checked is still its secret, so no token outlives a rotation.
            current = (
                Application.objects.select_for_update()
                .filter(pk=request.client.pk)
                .values_list("client_secret", flat=True)
                .first()
            )
            if current != request.client.client_secret:
                raise errors.InvalidClientError(request=request)
        return super()._save_bearer_token(token, request, *args, **kwargs)
