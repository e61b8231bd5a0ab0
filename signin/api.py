"""Management API: a user's end-user sessions and grants (spec §6.14), and lock-down.

console.api adds this router under /users beside users.api's. Sessions are the browser sign-in
sessions, grants what an application holds for the user (signin.models.EndUserSession); both come
from signin.sessions, the same functions as the console's Sessions tab.

Gatehouse extensions (not in Logto): `DELETE /api/users/:id/sessions` ends every session and grant,
`POST /api/users/:id/lock-down {reason}` is the console's Lock down.
"""

import contextlib

from django.http import HttpRequest
from ninja import Router, Schema, Status

from signin import sessions
from signin.models import EndUserSession
from users import services
from users.api import ApiError, _user, _user_to_change, errors, ms, service_errors

router = Router(tags=["User sessions"])


class LockDownBody(Schema):
    reason: str


def _session_not_found() -> ApiError:
    return ApiError(404, "oidc.session_not_found", "The session does not exist.")


def _payload(row: EndUserSession) -> dict:
    return {
        "uid": row.pk,
        "kind": "Session" if row.kind == EndUserSession.Kind.BROWSER else "Grant",
        "accountId": row.user_id,
        "clientId": row.application.client_id if row.application else None,
        "iat": int(row.created_at.timestamp()),
        "lastUsedAt": ms(row.last_used_at),
        "ip": row.ip,
        "userAgent": row.user_agent,
    }


def session_json(row: EndUserSession) -> dict:
    return {
        "id": row.pk,
        "payload": _payload(row),
        "lastSubmission": None,
        "clientId": row.application.client_id if row.application else None,
        "accountId": row.user_id,
        "expiresAt": ms(row.expires_at),
    }


def grant_json(row: EndUserSession) -> dict:
    app = row.application
    return {
        "id": row.pk,
        "payload": _payload(row),
        "expiresAt": ms(row.expires_at),
        "application": {"id": app.pk, "name": app.name} if app else None,
    }


def _of_kind(user, kind):
    return [r for r in sessions.list_sessions(user) if r.kind == kind]


def _one(user, session_id, kind) -> EndUserSession:
    try:
        row = sessions.get_session(user, session_id)
    except sessions.SessionNotFound:
        row = None
    if row is None or row.kind != kind:
        if kind == EndUserSession.Kind.BROWSER:
            raise _session_not_found()
        raise ApiError(404, "entity.not_found", "The grant does not exist.")
    return row


@router.get("/{user_id}/sessions", response={200: dict, **errors(404)})
def list_user_sessions(request: HttpRequest, user_id: str):
    user = _user(user_id)
    return {"sessions": [session_json(r) for r in _of_kind(user, EndUserSession.Kind.BROWSER)]}


@router.delete("/{user_id}/sessions", response={204: None, **errors(404)})
def delete_user_sessions(request: HttpRequest, user_id: str):
    """Gatehouse extension: end every session and grant of the user, revoke every OAuth token."""
    user = _user_to_change(user_id)
    sessions.revoke_all_sessions(user, origin=request.api_origin)
    return Status(204, None)


@router.get("/{user_id}/sessions/{session_id}", response={200: dict, **errors(404)})
def get_user_session(request: HttpRequest, user_id: str, session_id: str):
    user = _user(user_id)
    return session_json(_one(user, session_id, EndUserSession.Kind.BROWSER))


@router.delete("/{user_id}/sessions/{session_id}", response={204: None, **errors(404)})
def delete_user_session(
    request: HttpRequest, user_id: str, session_id: str, revokeGrantsTarget: str = ""
):
    """End the session; `revokeGrantsTarget=all` also revokes every grant of the user,
    `firstParty` those of first-party applications."""
    if revokeGrantsTarget not in ("", "all", "firstParty"):
        raise ApiError(400, "guard.invalid_input", "revokeGrantsTarget is all or firstParty.")
    user = _user_to_change(user_id)
    row = _one(user, session_id, EndUserSession.Kind.BROWSER)
    origin = request.api_origin
    try:
        sessions.revoke_session(user, row.pk, origin=origin)
    except sessions.SessionNotFound:
        raise _session_not_found() from None
    if revokeGrantsTarget:
        for grant in _of_kind(user, EndUserSession.Kind.GRANT):
            if revokeGrantsTarget == "firstParty" and _is_third_party(grant.application):
                continue
            with contextlib.suppress(sessions.SessionNotFound):  # ended meanwhile
                sessions.revoke_session(user, grant.pk, origin=origin)
    return Status(204, None)


def _is_third_party(application) -> bool:
    return bool(getattr(application, "is_third_party", False))


@router.get("/{user_id}/grants", response={200: dict, **errors(404)})
def list_user_grants(request: HttpRequest, user_id: str, appType: str = ""):
    if appType not in ("", "firstParty", "thirdParty"):
        raise ApiError(400, "guard.invalid_input", "appType is firstParty or thirdParty.")
    user = _user(user_id)
    grants = _of_kind(user, EndUserSession.Kind.GRANT)
    if appType:
        third = appType == "thirdParty"
        grants = [g for g in grants if _is_third_party(g.application) == third]
    return {"grants": [grant_json(g) for g in grants]}


@router.delete("/{user_id}/grants/{grant_id}", response={204: None, **errors(404)})
def delete_user_grant(request: HttpRequest, user_id: str, grant_id: str):
    user = _user_to_change(user_id)
    row = _one(user, grant_id, EndUserSession.Kind.GRANT)
    try:
        sessions.revoke_session(user, row.pk, origin=request.api_origin)
    except sessions.SessionNotFound:
        raise ApiError(404, "entity.not_found", "The grant does not exist.") from None
    return Status(204, None)


@router.post("/{user_id}/lock-down", response={200: dict, **errors(404, 422)})
def lock_down_user(request: HttpRequest, user_id: str, body: LockDownBody):
    """Gatehouse extension: suspend, end every session and grant, revoke every token and personal
    access token, make the password unusable; one audit entry with the reason."""
    user = _user_to_change(user_id)
    with service_errors():
        result = services.lock_down_user(user, origin=request.api_origin, reason=body.reason)
    return {"userId": user.pk, "isSuspended": True, **result}
