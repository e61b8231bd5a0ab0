"""The one writer of audit rows. Service functions call record() inside their transaction, so an
audit failure rolls the change back and a rolled-back change leaves no row.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address

from audit.models import Log

MAX_USER_AGENT = 512


@dataclass(frozen=True)
class Origin:
    """Who is acting and from where: built once per request, passed to every service call."""

    channel: str  # "Console", "ManagementApi" or "System" — the first part of the log key
    actor: object | None = None  # the admin user, when there is one
    actor_label: str = ""
    application_id: str = ""
    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request, *, channel="Console", application_id=""):
        actor = getattr(request, "user", None)
        if actor is not None and not actor.is_authenticated:
            actor = None
        return cls(
            channel=channel,
            actor=actor,
            actor_label=_label(actor) if actor else application_id,
            application_id=application_id,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:MAX_USER_AGENT],
        )

    @classmethod
    def system(cls, label="system"):
        return cls(channel="System", actor_label=label)


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address our own trusted proxies saw (TRUSTED_PROXY_COUNT of them).

    Each proxy appends the address it received from, so with N trusted proxies the client is the
    N-th entry from the right; anything further left was written by the client and is ignored.
    """
    ip = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            ip = forwarded[-proxies]
    try:
        validate_ipv46_address(ip)
    except ValidationError:
        return None
    return ip


def field_changes(obj, values: dict) -> dict:
    """The fields whose value would change, as field -> {"old", "new"} (the audit payload)."""
    return {
        f: {"old": getattr(obj, f), "new": v} for f, v in values.items() if getattr(obj, f) != v
    }


def _label(user) -> str:
    return (
        getattr(user, "primary_email", None)
        or getattr(user, "username", None)
        or getattr(user, "primary_phone", None)
        or str(getattr(user, "pk", ""))
    )


# Payload keys that name a secret: text under one, at any depth ({"password": {"new": ...}}), is
# a bug in the caller, and the change fails. Flags and names are fine: hasPassword, tokenName.
_SECRET_KEYS = {
    "password",
    "newpassword",
    "oldpassword",
    "passwordhash",
    "passworddigest",
    "hash",
    "token",
    "tokenvalue",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "secret",
    "clientsecret",
    "totpsecret",
    "sessionid",
    "sessionkey",
    "backupcodes",
}


def _check_payload(value, path="payload", *, secret=False):
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key).replace("_", "").replace("-", "").lower()
            _check_payload(item, f"{path}.{key}", secret=secret or name in _SECRET_KEYS)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_payload(item, path, secret=secret)
    elif secret and isinstance(value, str) and value:
        raise ValueError(f"{path} looks like a secret: audit payloads never hold one")


def record(action: str, *, origin: Origin, user=None, result=Log.Result.SUCCESS, payload=None):
    """Write one audit row: `{origin.channel}.{action}`, e.g. Console.User.Create.

    Call it inside the service's transaction: if it fails, the change it describes is rolled back.
    The payload holds what changed (old -> new), never a password, hash, token or session id.
    """
    payload = payload or {}
    _check_payload(payload)
    return Log.objects.create(
        **_fields(action, origin=origin, user=user, payload=payload, result=result)
    )


def record_many(action: str, *, origin: Origin, users, payload=None, departing=False) -> list:
    """One audit row per user, the same as record() would write for each, in one INSERT (the
    set-based verbs: a batch of a bulk job). `payload`: one for all, or a function of the user.
    `departing`: the users are deleted in the same transaction, so the rows are written as the
    deletion leaves them (no link, the user's id and label kept) rather than linked and then
    unlinked row by row by the deletion's SET NULL. Call it inside the service's transaction."""
    rows = []
    for user in users:
        this = (payload(user) if callable(payload) else payload) or {}
        _check_payload(this)
        row = Log(**_fields(action, origin=origin, user=user, payload=this))
        if departing:
            row.user = None
        rows.append(row)
    return Log.objects.bulk_create(rows, batch_size=1000)


def _fields(action, *, origin: Origin, user, payload, result=Log.Result.SUCCESS) -> dict:
    return {
        "key": f"{origin.channel}.{action}",
        "result": result,
        "user": user,
        "user_ref": user.pk if user is not None else "",
        "user_label": _label(user) if user is not None else "",
        "actor": origin.actor,
        "actor_label": origin.actor_label,
        "application_id": origin.application_id,
        "ip": origin.ip,
        "user_agent": origin.user_agent,
        "payload": payload,
    }


def record_refusal(origin: Origin, *, status: int, user=None, payload=None):
    """Write one `{channel}.Refused` row: an act refused as not allowed (403) or as stale or
    conflicting (409), so "who tried what" is answerable.

    Unlike record(), call it *after* the refused act's transaction has rolled back, never inside
    it, or the refusal would vanish with the act. The console calls it from one place,
    audit.middleware.RefusedActsMiddleware.
    """
    payload = {"status": int(status), **(payload or {})}
    return record("Refused", origin=origin, user=user, result=Log.Result.ERROR, payload=payload)
