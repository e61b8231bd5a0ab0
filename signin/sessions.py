"""End-user sessions and grants: start, touch, list, revoke (see signin.models.EndUserSession).

The provider's flow calls start_session / touch_session (browser) and touch_grant (an
application's tokens); the console's Sessions tab and /api/users/:id/sessions call list_sessions,
get_session, revoke_session and revoke_all_sessions. Lock-down is users.services.lock_down_user;
suspension, password changes and lock-down end everything here through users.signals.

Every check that matters for security re-reads the user (suspended or deleted → refused) where
the token is used; these rows add what an admin needs to see and to end.
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, OuterRef, Q, When
from django.dispatch import receiver
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from audit.recorder import MAX_USER_AGENT, Origin, client_ip, record
from signin.models import EndUserSession
from users.signals import sessions_must_end, users_sessions_must_end

# Where a browser's session row id lives in its Django session.
SESSION_ROW_KEY = "gatehouse.end_user_session"
# last_used_at is written at most this often per row (a write per request costs a transaction).
TOUCH_INTERVAL = timedelta(minutes=1)


class SessionNotFound(Exception):
    """No active session or grant with that id for that user (404 oidc.session_not_found)."""


# --- Called by the provider's flow ------------------------------------------------------------


def start_session(request, user, *, application=None) -> EndUserSession:
    """Record the browser sign-in that just succeeded: call right after django's login(request,
    user) on /sign-in. Stores the row's id in the Django session (touch_session reads it back).
    `application` is the client the sign-in was for, if any."""
    if request.session.session_key is None:
        request.session.save()
    now = timezone.now()
    row = EndUserSession.objects.create(
        user=user,
        kind=EndUserSession.Kind.BROWSER,
        application=application,
        session_key=request.session.session_key,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:MAX_USER_AGENT],
        last_used_at=now,
        expires_at=now + timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS),
    )
    request.session[SESSION_ROW_KEY] = row.pk
    return row


def touch_session(request) -> EndUserSession | None:
    """The browser's active sign-in session, its last use noted; None when there is none: never
    started, revoked, ended by suspension or lock-down, expired, or its user is suspended or gone.
    On None the caller treats the browser as signed out (and should call django's logout())."""
    row_id = request.session.get(SESSION_ROW_KEY)
    if not isinstance(row_id, str):
        return None
    now = timezone.now()
    row = (
        EndUserSession.objects.select_related("user")
        .filter(
            pk=row_id,
            kind=EndUserSession.Kind.BROWSER,
            ended_at__isnull=True,
            session_key=request.session.session_key or "",
            user__is_suspended=False,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if row is None:
        return None
    if now - row.last_used_at >= TOUCH_INTERVAL:
        EndUserSession.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def end_browser_session(request, *, reason="signed_out") -> None:
    """The end user signs out (end-session endpoint): end the row; the caller then logout()s."""
    row_id = request.session.get(SESSION_ROW_KEY)
    if isinstance(row_id, str):
        EndUserSession.objects.filter(pk=row_id, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )


def touch_grant(user, application, *, request=None) -> EndUserSession:
    """Note that `application` used its grant for `user`: call when a code is issued (with the
    browser's request: its IP and user agent are kept) and on each code redemption, refresh and
    userinfo call (request optional: the caller there is the application's server, so IP and user
    agent are not overwritten). Opens the grant's row if there is no active one."""
    now = timezone.now()
    row = _active_grant(user, application)
    if row is None:
        if request is not None:
            ip = client_ip(request)
            user_agent = request.META.get("HTTP_USER_AGENT", "")[:MAX_USER_AGENT]
        else:
            ip, user_agent = _signed_in_browser(user, application)
        try:
            with transaction.atomic():
                return EndUserSession.objects.create(
                    user=user,
                    kind=EndUserSession.Kind.GRANT,
                    application=application,
                    ip=ip,
                    user_agent=user_agent,
                    last_used_at=now,
                )
        except IntegrityError:  # a parallel call opened it first
            row = _active_grant(user, application)
    if now - row.last_used_at >= TOUCH_INTERVAL:
        EndUserSession.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def _signed_in_browser(user, application) -> tuple[str | None, str]:
    """IP and user agent of the browser the grant most likely came from: the user's latest active
    sign-in session, one for this application first (the token endpoint sees only the
    application's server)."""
    row = (
        EndUserSession.objects.filter(
            user=user, kind=EndUserSession.Kind.BROWSER, ended_at__isnull=True
        )
        .order_by(
            Case(When(application=application, then=0), default=1), "-last_used_at", "-created_at"
        )
        .values_list("ip", "user_agent")
        .first()
    )
    return row or (None, "")


def _active_grant(user, application) -> EndUserSession | None:
    return EndUserSession.objects.filter(
        user=user, application=application, kind=EndUserSession.Kind.GRANT, ended_at__isnull=True
    ).first()


# --- What the console and the API show and end ---------------------------------------------


def _live_tokens(now):
    """A grant row is live while its application still holds something for the user: a code, an
    unexpired access token or an unrevoked refresh token (reuse detection may have revoked them)."""
    same = {"user": OuterRef("user"), "application": OuterRef("application")}
    return (
        Exists(get_refresh_token_model().objects.filter(**same, revoked__isnull=True))
        | Exists(get_access_token_model().objects.filter(**same, expires__gt=now))
        | Exists(get_grant_model().objects.filter(**same, expires__gt=now))
    )


def active_sessions(user):
    """The user's active browser sessions and grants, most recently used first (a queryset)."""
    now = timezone.now()
    browser = Q(kind=EndUserSession.Kind.BROWSER) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    grant = Q(kind=EndUserSession.Kind.GRANT) & _live_tokens(now)
    return (
        EndUserSession.objects.filter(user=user, ended_at__isnull=True)
        .filter(browser | grant)
        .select_related("application")
        .order_by("-last_used_at", "-created_at", "id")
    )


def list_sessions(user) -> list[EndUserSession]:
    return list(active_sessions(user))


def get_session(user, session_id) -> EndUserSession:
    """One active session or grant of the user, or SessionNotFound."""
    if not isinstance(session_id, str) or not session_id.isalnum() or len(session_id) > 21:
        raise SessionNotFound(session_id)
    row = active_sessions(user).filter(pk=session_id).first()
    if row is None:
        raise SessionNotFound(session_id)
    return row


def revoke_session(user, session_id, *, origin: Origin) -> EndUserSession:
    """End one session (the browser is signed out) or grant (its tokens are revoked); audited."""
    with transaction.atomic():
        row = get_session(user, session_id)
        row = EndUserSession.objects.select_for_update().get(pk=row.pk)
        if row.ended_at is not None:
            raise SessionNotFound(session_id)
        _end([row], "revoked")
        record(
            "User.Session.Revoke",
            origin=origin,
            user=user,
            payload={
                "endUserSession": row.pk,  # our row id, not the Django session key
                "kind": row.kind,
                "applicationId": row.application_id,
            },
        )
    return row


def revoke_all_sessions(user, *, origin: Origin) -> int:
    """End every session and grant of the user and revoke every OAuth token they hold; audited
    (nothing to end: nothing written). Returns how many sessions and grants ended."""
    with transaction.atomic():
        count = len(list_sessions(user))
        live_tokens = _user_tokens(user).exists()
        if not count and not live_tokens:
            return 0
        end_all_for_user(user, reason="revoked")
        record(
            "User.Session.RevokeAll",
            origin=origin,
            user=user,
            payload={"sessionsEnded": count},
        )
    return count


# --- Ending ----------------------------------------------------------------------------------


def _user_tokens(user):
    return get_refresh_token_model().objects.filter(user=user, revoked__isnull=True)


def _revoke_tokens(**which) -> None:
    """Revoke what oauth2_provider holds for `which` (user=, and application= for one grant)."""
    get_refresh_token_model().objects.filter(**which, revoked__isnull=True).update(
        revoked=timezone.now()
    )
    get_access_token_model().objects.filter(**which).delete()
    get_id_token_model().objects.filter(**which).delete()
    get_grant_model().objects.filter(**which).delete()


def _delete_django_sessions(keys) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(store, db.SessionStore) and not issubclass(store, cached_db.SessionStore):
        # Sessions only in the database (ours, users.sessions): one DELETE for all of them.
        store.get_model_class().objects.filter(session_key__in=keys).delete()
        return
    for key in keys:
        store(session_key=key).delete()


def _end(rows, reason: str) -> None:
    now = timezone.now()
    keys = [r.session_key for r in rows if r.kind == EndUserSession.Kind.BROWSER and r.session_key]
    for row in rows:
        if row.kind == EndUserSession.Kind.GRANT and row.application_id is not None:
            _revoke_tokens(user=row.user_id, application=row.application_id)
    EndUserSession.objects.filter(pk__in=[r.pk for r in rows], ended_at__isnull=True).update(
        ended_at=now, end_reason=reason
    )
    for row in rows:
        row.ended_at, row.end_reason = now, reason
    if keys:
        # The browser is signed out once the change is committed (and not if it rolls back).
        transaction.on_commit(lambda: _delete_django_sessions(keys))


def end_all_for_user(user, *, reason: str) -> int:
    """End every open row of the user and revoke every OAuth token they hold. Returns the number
    of rows ended. Runs inside the caller's transaction."""
    return end_all_for_users([user.pk], reason=reason)


def end_all_for_users(user_ids, *, reason: str) -> int:
    """The same for many users, a statement per kind of row: the sessions and grants of all of
    them, then all their tokens (which covers each grant's tokens). Returns the rows ended."""
    now = timezone.now()
    open_rows = EndUserSession.objects.filter(user_id__in=user_ids, ended_at__isnull=True)
    rows = list(open_rows.select_for_update().values_list("pk", "kind", "session_key"))
    if rows:
        EndUserSession.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
            ended_at=now, end_reason=reason
        )
    keys = [key for _, kind, key in rows if kind == EndUserSession.Kind.BROWSER and key]
    if keys:
        # The browsers are signed out once the change is committed (and not if it rolls back).
        transaction.on_commit(lambda: _delete_django_sessions(keys))
    _revoke_tokens(user__in=user_ids)
    return len(rows)


@receiver(sessions_must_end, dispatch_uid="signin.sessions.end_all")
def _on_sessions_must_end(sender, *, user, reason="", **kwargs) -> int:
    """users.services ended the user's tokens (suspension, password reset or set, lock-down)."""
    if not reason:
        reason = "suspended" if user.is_suspended else "password"
    return end_all_for_user(user, reason=reason)


@receiver(users_sessions_must_end, dispatch_uid="signin.sessions.end_all_of_many")
def _on_users_sessions_must_end(sender, *, user_ids, reason, **kwargs) -> int:
    """A set-based verb (a bulk job's batch) ended many users' tokens."""
    return end_all_for_users(user_ids, reason=reason)
