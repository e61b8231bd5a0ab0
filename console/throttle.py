"""Admin sign-in throttling: attempts are counted *before* the password is checked, so a burst of
parallel guesses cannot slip past the limit, and the same rule applies whether or not the account
exists (the key is what was typed, not a user id).
"""

import hashlib
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from console.models import SignInAttempt


def _window() -> int:
    return int(time.time()) // settings.SIGN_IN_WINDOW_SECONDS


def _key(kind: str, value: str) -> str:
    # Hashed: the table should not become a list of typed usernames and addresses.
    return kind + ":" + hashlib.sha256(value.strip().lower().encode()).hexdigest()


def _increment(key: str, window: int) -> int:
    for _ in range(3):
        with transaction.atomic():
            updated = SignInAttempt.objects.filter(key=key, window=window).update(
                count=F("count") + 1
            )
            if updated:
                return SignInAttempt.objects.get(key=key, window=window).count
            try:
                with transaction.atomic():
                    SignInAttempt.objects.create(key=key, window=window, count=1)
                return 1
            except IntegrityError:
                continue  # another attempt created the row first: increment it instead
    return SignInAttempt.objects.get(key=key, window=window).count


def reserve_attempt(identifier: str, ip: str | None) -> bool:
    """Count one attempt for the account and the IP; False when either is over its limit."""
    window = _window()
    account = _increment(_key("account", identifier), window)
    by_ip = _increment(_key("ip", ip or "unknown"), window)
    return account <= settings.SIGN_IN_MAX_PER_ACCOUNT and by_ip <= settings.SIGN_IN_MAX_PER_IP


def forget_account(identifier: str) -> None:
    """A successful sign-in clears the account's count (the IP's count stays)."""
    SignInAttempt.objects.filter(key=_key("account", identifier)).delete()


def prune() -> int:
    deleted, _ = SignInAttempt.objects.filter(window__lt=_window() - 1).delete()
    return deleted
