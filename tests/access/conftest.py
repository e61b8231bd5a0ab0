import pytest


@pytest.fixture(autouse=True)
def empty_access_catalogue(management_api_seed, request):
    """The access tests start from an empty catalogue: without the Management API resource and
    role that migration 0005 seeds (tests/signin covers those)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from django.conf import settings

    from users.models import ApiResource, Role

    Role.objects.filter(scopes__resource__indicator=settings.MANAGEMENT_API_INDICATOR).delete()
    ApiResource.objects.filter(indicator=settings.MANAGEMENT_API_INDICATOR).delete()
