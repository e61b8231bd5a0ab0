"""Log keys and their human titles.

End-user events use Logto's keys (spec §7: `Interaction.SignIn.Submit`, `ExchangeTokenBy.RefreshToken`,
...); our own admin and API actions are `{channel}.{action}` (`Console.User.Suspend`,
`ManagementApi.User.Delete`, `System.User.Create`). A key without an entry here still gets a readable
title built from its parts, so a new action never shows up blank.
"""

import re
from functools import lru_cache

# Keys the Logto Management API returns from GET /api/logs (spec §6.16); ours sit outside them.
LOGTO_AUDIT_PREFIXES = (
    "ExchangeTokenBy",
    "RevokeToken",
    "RevokeGrants",
    "Interaction",
    "JwtCustomizer",
    "SamlApplication",
    "Action",
    "Unknown",
)

CHANNELS = {
    "Console": "console",
    "ManagementApi": "Management API",
    "System": "system",
}

TITLES = {
    # Interactions: the ones a user's Logs tab shows most.
    "Interaction.Create": "Create interaction",
    "Interaction.End": "End interaction",
    "Interaction.Create.Captcha": "Verify captcha",
    "Interaction.SignIn.Create": "Start sign-in",
    "Interaction.SignIn.Update": "Update sign-in",
    "Interaction.SignIn.Submit": "Submit sign-in interaction",
    "Interaction.Register.Create": "Start registration",
    "Interaction.Register.Update": "Update registration",
    "Interaction.Register.Submit": "Submit registration interaction",
    "Interaction.ForgotPassword.Create": "Start password reset",
    "Interaction.ForgotPassword.Update": "Update password reset",
    "Interaction.ForgotPassword.Submit": "Submit password reset interaction",
    "Interaction.SignIn.Verification.Password.Submit": "Verify password (sign-in)",
    "Interaction.SignIn.Verification.EmailVerificationCode.Submit": "Verify email code (sign-in)",
    "Interaction.SignIn.Verification.PhoneVerificationCode.Submit": "Verify SMS code (sign-in)",
    "Interaction.SignIn.Verification.Social.Submit": "Verify social sign-in",
    "Interaction.SignIn.Verification.EnterpriseSso.Submit": "Verify enterprise SSO sign-in",
    "Interaction.SignIn.Verification.Totp.Submit": "Verify authenticator app code",
    "Interaction.SignIn.Verification.WebAuthn.Submit": "Verify passkey",
    "Interaction.SignIn.Verification.BackupCode.Submit": "Verify backup code",
    # Tokens.
    "ExchangeTokenBy.Unknown": "Exchange token",
    "ExchangeTokenBy.AuthorizationCode": "Exchange token by authorization code",
    "ExchangeTokenBy.RefreshToken": "Exchange token by refresh token",
    "ExchangeTokenBy.ClientCredentials": "Exchange token by client credentials",
    "ExchangeTokenBy.TokenExchange": "Exchange token by token exchange",
    "ExchangeTokenBy.DeviceCode": "Exchange token by device code",
    "RevokeToken": "Revoke token",
    "RevokeGrants": "Revoke grants",
    # Other Logto audit keys.
    "Action.PostFirstFactorVerification": "Run post-first-factor action",
    "Action.PostSignIn": "Run post-sign-in action",
    "JwtCustomizer.AccessToken": "Customise access token",
    "JwtCustomizer.ClientCredentials": "Customise client-credentials token",
    "SamlApplication.AuthnRequest": "SAML authentication request",
    "SamlApplication.Callback": "SAML callback",
    "TrustedDevice.Created": "Trust device",
    "TrustedDevice.Used": "Use trusted device",
    "Unknown": "Unknown event",
    # Console events that are not changes to anything: who signed in, who was refused what.
    "Console.SignIn": "Sign in to the console",
    "Console.Refused": "Refused admin act",
    # End-user sessions (signin/sessions.py): the generated title would be singular.
    "Console.User.Session.RevokeAll": "Revoke all user sessions",
    "ManagementApi.User.Session.RevokeAll": "Revoke all user sessions (Management API)",
}

# Event-type filter: groups (a key prefix, value ending in "*") and single keys, in menu order.
EVENT_GROUPS = (
    ("Interaction.SignIn.*", "Sign-in (all steps)"),
    ("Interaction.Register.*", "Registration (all steps)"),
    ("Interaction.ForgotPassword.*", "Password reset (all steps)"),
    ("ExchangeTokenBy.*", "Token exchanges"),
    ("Console.*", "Admin actions in the console"),
    ("ManagementApi.*", "Management API actions"),
    ("System.*", "System actions"),
)
EVENT_KEYS = (
    "Interaction.SignIn.Submit",
    "Interaction.Register.Submit",
    "Interaction.ForgotPassword.Submit",
    "Interaction.SignIn.Verification.Password.Submit",
    "ExchangeTokenBy.AuthorizationCode",
    "ExchangeTokenBy.RefreshToken",
    "RevokeToken",
    "Console.SignIn",
    "Console.Refused",
    "Console.User.Create",
    "Console.User.Suspend",
    "Console.User.LockDown",
    "Console.User.Delete",
    "ManagementApi.User.Create",
    "ManagementApi.User.Delete",
)

# A key typed into a URL: dotted CamelCase words; a trailing ".*" makes it a prefix group.
KEY_PATTERN = re.compile(r"\A[A-Z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)*(?:\.\*)?\Z")
MAX_KEY_LENGTH = 128

_ACRONYMS = {
    "Api": "API",
    "Mfa": "MFA",
    "Sso": "SSO",
    "Totp": "TOTP",
    "Jwt": "JWT",
    "Saml": "SAML",
    "Sms": "SMS",
    "Pat": "PAT",
    "Ip": "IP",
    "Web Authn": "WebAuthn",
}
_INTERACTION_EVENTS = {
    "SignIn": "sign-in",
    "Register": "registration",
    "ForgotPassword": "password reset",
}


@lru_cache(maxsize=1024)
def title(key: str) -> str:
    """The human title of a log key: from TITLES, else built from the key's parts."""
    if key in TITLES:
        return TITLES[key]
    parts = key.split(".")
    channel = CHANNELS.get(parts[0])
    if channel and len(parts) > 1:
        return _action_title(parts[1:]) + ("" if parts[0] == "Console" else f" ({channel})")
    if parts[0] == "Interaction" and len(parts) >= 3 and parts[1] in _INTERACTION_EVENTS:
        return f"{_action_title(parts[2:])} ({_INTERACTION_EVENTS[parts[1]]})"
    return _action_title(parts)


def group_title(value: str) -> str | None:
    return dict(EVENT_GROUPS).get(value)


def event_choices() -> list[tuple[str, str]]:
    """The filter menu: groups first, then single keys with their titles."""
    return [*EVENT_GROUPS, *((key, title(key)) for key in EVENT_KEYS)]


def _action_title(parts: list[str]) -> str:
    """["User", "Password", "Update"] -> "Update user password": the verb comes last in our keys."""
    if not parts:
        return ""
    *nouns, verb = parts
    words = [_words(verb).lower(), *(_words(n).lower() for n in nouns)]
    text = " ".join(w for w in words if w)
    for plain, acronym in _ACRONYMS.items():
        text = re.sub(rf"\b{plain}\b", acronym, text, flags=re.IGNORECASE)
    return text[:1].upper() + text[1:]


def _words(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", camel)
