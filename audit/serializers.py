"""A log row in Logto's JSON shape (spec §6.16), its user agent parsed, and text made safe to show.

`log_to_json` is what GET /api/logs and /api/logs/<id> return and what the console's log details
show as raw data, so the two never disagree.
"""

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from audit.models import Log


@dataclass(frozen=True)
class UserAgent:
    """A user agent parsed by ua-parser (the uap-core rules); "" where it could not tell."""

    browser: str = ""
    browser_version: str = ""
    os: str = ""
    os_version: str = ""
    device: str = ""
    device_brand: str = ""
    device_model: str = ""

    def __bool__(self):
        return bool(self.browser or self.os or self.device)


@lru_cache(maxsize=1024)
def parse_user_agent(user_agent: str) -> UserAgent:
    """Browser, OS and device of a User-Agent header (cached: a page shows a few agents many times)."""
    if not user_agent:
        return UserAgent()
    from ua_parser import parse  # compiles its rules on first use: keep it off module import

    result = parse(user_agent)
    browser, os, device = result.user_agent, result.os, result.device
    return UserAgent(
        browser=_known(browser.family) if browser else "",
        browser_version=_version(browser) if browser else "",
        os=_known(os.family) if os else "",
        os_version=_version(os) if os else "",
        device=_known(device.family) if device else "",
        device_brand=(device.brand or "") if device else "",
        device_model=(device.model or "") if device else "",
    )


def log_to_json(log: Log) -> dict:
    """Logto's log JSON: {tenantId, id, key, payload, createdAt (epoch ms)}.

    The stored payload comes first and the standard keys after it, so a payload cannot pretend to
    a different key, result, user or address.
    """
    payload = dict(log.payload) if isinstance(log.payload, dict) else {"data": log.payload}
    payload.update(key=log.key, result=log.result)
    if log.ip:
        payload["ip"] = log.ip
    if log.user_agent:
        payload["userAgent"] = log.user_agent
        parsed = _user_agent_json(log.user_agent)
        if parsed:
            payload["userAgentParsed"] = parsed
    if log.user_ref:
        payload["userId"] = log.user_ref
    if log.application_id:
        payload["applicationId"] = log.application_id
    if log.actor_id or log.actor_label:
        payload["actor"] = {"id": log.actor_id or None, "label": log.actor_label}
    return {
        "tenantId": getattr(settings, "LOGTO_TENANT_ID", "default"),
        "id": log.id,
        "key": log.key,
        "payload": payload,
        "createdAt": int(log.created_at.timestamp() * 1000),
    }


def pretty_json(value) -> str:
    """Indented JSON for people: non-ASCII kept readable, invisible characters escaped (as JSON
    escapes, so what the copy button copies still parses)."""
    text = json.dumps(value, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
    return "".join(json.dumps(c)[1:-1] if c != "\n" and _invisible(c) else c for c in text)


def printable(text: str) -> str:
    r"""Control and format characters (CR, LF, ESC, bidi overrides...) shown as \x.. / \u.... escapes,
    so stored text cannot break a line, colour a terminal or reorder what an admin reads."""
    return "".join(_escape(c) if _invisible(c) else c for c in str(text or ""))


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _user_agent_json(user_agent: str) -> dict:
    """The parts ua-parser-js would fill in Logto's `userAgentParsed` (spec §6.16)."""
    parsed = parse_user_agent(user_agent)
    out = {"ua": user_agent}
    if parsed.browser:
        out["browser"] = {
            "name": parsed.browser,
            "version": parsed.browser_version or None,
            "major": parsed.browser_version.split(".")[0] or None,
        }
    if parsed.os:
        out["os"] = {"name": parsed.os, "version": parsed.os_version or None}
    if parsed.device:
        out["device"] = {
            "model": parsed.device_model or None,
            "vendor": parsed.device_brand or None,
        }
    return out if len(out) > 1 else {}


def _known(family: str | None) -> str:
    return "" if not family or family == "Other" else family


def _version(part) -> str:
    numbers = [part.major, part.minor, part.patch]
    return ".".join(n for n in numbers if n)


def describe(log: Log) -> dict:
    """What the log details page shows, computed once: title, actor, parsed agent, raw JSON."""
    from audit.queries import for_display

    for_display([log])
    return {
        "log": log,
        "actor_kind": log.actor_kind,
        "user_agent": printable(log.user_agent),
        "agent": parse_user_agent(log.user_agent),
        "raw_json": pretty_json(log_to_json(log)),
    }
