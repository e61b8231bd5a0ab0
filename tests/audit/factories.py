import factory
from django.utils import timezone

from audit.models import Log

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


class LogFactory(factory.django.DjangoModelFactory):
    """An end-user sign-in by default; pass `user=` to tie it to one (snapshot filled in)."""

    class Meta:
        model = Log

    key = "Interaction.SignIn.Submit"
    result = Log.Result.SUCCESS
    user = None
    user_ref = factory.LazyAttribute(lambda o: o.user.pk if o.user else "")
    user_label = factory.LazyAttribute(lambda o: o.user.display_identifier if o.user else "")
    ip = "203.0.113.7"
    user_agent = CHROME_ON_WINDOWS
    payload = factory.LazyAttribute(lambda o: {"interactionEvent": "SignIn"})
    created_at = factory.LazyFunction(timezone.now)
