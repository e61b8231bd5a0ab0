"""Sign-in throttling, for any sign-in form: the console's today, the end-user pages (signin/) later.

- Attempts are counted *before* the password is checked, so a burst of parallel guesses cannot slip
  past the limit (the database's atomic UPDATE serialises them; see docs/decisions.md).
- The counter belongs to the account, not to the spelling: username, email and phone of one account
  share one counter. What names no account is counted by what was typed, normalised, so the same rule
  holds whether or not the account exists.
- The client's address has a counter of its own, across every account tried from it.
- Only a successful sign-in clears the account's counter (never the address's).

Each form gets its own `Throttle` with its own scope and settings, e.g.
`Throttle("signin", settings_prefix="END_USER_SIGN_IN")` reads END_USER_SIGN_IN_WINDOW_SECONDS,
..._MAX_PER_ACCOUNT and ..._MAX_PER_IP.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower

from console.models import SignInAttempt
from users.identifiers import MAX_IDENTIFIER_LENGTH, normalize_phone


def find_account(identifier: str):
    """(counter name, account) for whatever was typed: `user:<id>` and the user when it names an
    account by any of its identifiers, else the normalised text and None. One query either way."""
    value = identifier.strip().lower()
    phone = _phone(value)
    if 0 < len(value) <= MAX_IDENTIFIER_LENGTH and "\x00" not in value:
        match = Q(_username=value) | Q(_email=value)
        if phone:
            match |= Q(primary_phone=phone)
        user = (
            get_user_model()
            .objects.annotate(_username=Lower("username"), _email=Lower("primary_email"))
            .filter(match)
            .first()
        )
        if user is not None:
            return f"user:{user.pk}", user
    return (f"phone:{phone}" if phone else f"typed:{value}"), None


def account_key(identifier: str) -> str:
    """The counter's name for whatever was typed: the account it names, or the normalised text."""
    return find_account(identifier)[0]


def _phone(value: str) -> str | None:
    if not value or len(value) > 32 or value[0] not in "+0123456789(":
        return None
    try:
        return normalize_phone(value)
    except ValidationError:
        return None


class Throttle:
    """Counters for one sign-in form; limits are read from settings on every use."""

    def __init__(self, scope: str, *, settings_prefix: str):
        self.scope = scope
        self.settings_prefix = settings_prefix
        self._pruned_window = None  # the window this process last pruned in

    def _setting(self, name: str) -> int:
        return getattr(settings, f"{self.settings_prefix}_{name}")

    @property
    def window_seconds(self) -> int:
        return self._setting("WINDOW_SECONDS")

    def _window(self) -> int:
        return int(time.time()) // self.window_seconds

    def _key(self, kind: str, value: str) -> str:
        # Hashed: the table should not become a list of typed usernames and addresses.
        return f"{self.scope}:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"

    def reserve(self, account: str, ip: str | None) -> bool:
        """Count one attempt for the account (an `account_key`) and the address; False when
        either is over its limit. Count first, check the password after."""
        window = self._window()
        if self._pruned_window != window:
            # Once per window per process: the counters of past windows go, so the table holds
            # only the current and the previous window's rows however long the server runs.
            self._pruned_window = window
            self.prune()
        by_account = _increment(self._key("account", account), window)
        by_ip = _increment(self._key("ip", ip or "unknown"), window)
        within_account = by_account <= self._setting("MAX_PER_ACCOUNT")
        return within_account and by_ip <= self._setting("MAX_PER_IP")

    def clear(self, account: str) -> None:
        """After a successful sign-in only: the account starts again (the address's count stays)."""
        SignInAttempt.objects.filter(key=self._key("account", account)).delete()

    def retry_after(self) -> int:
        """Seconds until the current window ends and the counts start again."""
        return self.window_seconds - int(time.time()) % self.window_seconds

    def prune(self) -> int:
        """Delete this scope's counters of past windows."""
        deleted, _ = SignInAttempt.objects.filter(
            key__startswith=f"{self.scope}:", window__lt=self._window() - 1
        ).delete()
        return deleted


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


CONSOLE = Throttle("console", settings_prefix="SIGN_IN")
