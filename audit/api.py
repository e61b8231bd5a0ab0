"""Management API: GET /api/logs, /api/logs/:id and /api/users/:id/logs (spec §6.16).

Reading only: audit.queries does the filtering and counting, audit.serializers the JSON, so the
console's log pages and the API show the same rows. `includeAdminActions=true` adds our own
Console.* and ManagementApi.* rows, which Logto's key prefixes leave out.
"""

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from audit.queries import InvalidLogQuery, api_log_page, get_log, parse_flag
from audit.serializers import log_to_json
from console.paging import set_page_headers

router = Router(tags=["Audit logs"])


class LogError(Exception):
    """A refusal with Logto's code (console.api renders it as {code, message})."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Log(Schema):
    tenantId: str
    id: str
    key: str
    payload: dict
    createdAt: int


class Error(Schema):
    code: str
    message: str
    details: str | None = None
    data: object = None


_ERRORS = dict.fromkeys((400, 401, 403, 404), Error)


def _page(request, response, *, user_id: str, params: dict) -> list[dict]:
    try:
        page = api_log_page(
            user_id=user_id,
            application_id=params.get("applicationId") or "",
            log_key=params.get("logKey") or "",
            start_time=params.get("start_time"),
            end_time=params.get("end_time"),
            page=params.get("page"),
            page_size=params.get("page_size"),
            enable_cap=params.get("enableCap"),
            include_admin_actions=parse_flag(params.get("includeAdminActions")),
        )
    except InvalidLogQuery as error:
        raise LogError(400, error.code, error.message) from None
    total = page.total if not page.capped else 10_001
    set_page_headers(
        request, response, page=page.page, page_size=page.page_size, total=total, capped=page.capped
    )
    return [log_to_json(log) for log in page.logs]


class UserLogQuery(Schema):
    """The query parameters of a user's logs, for the OpenAPI document (`_page` reads them
    from the request as Logto spells them)."""

    logKey: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    page: str | None = None
    page_size: str | None = None
    includeAdminActions: str | None = None


class LogQuery(UserLogQuery):
    userId: str | None = None
    applicationId: str | None = None
    enableCap: str | None = None


@router.get("/logs", response={200: list[Log], **_ERRORS})
def list_logs(request: HttpRequest, response: HttpResponse, filters: Query[LogQuery]):
    """Audit logs, newest first, filtered by user, application, exact key and time (epoch ms)."""
    return _page(request, response, user_id=filters.userId or "", params=request.GET)


@router.get("/logs/{log_id}", response={200: Log, **_ERRORS})
def get_one_log(request: HttpRequest, log_id: str):
    log = get_log(log_id) if len(log_id) <= 64 and "\x00" not in log_id else None
    if log is None:
        raise LogError(404, "entity.not_exists_with_id", "The log does not exist.")
    return log_to_json(log)


@router.get("/users/{user_id}/logs", response={200: list[Log], **_ERRORS})
def list_user_logs(
    request: HttpRequest, response: HttpResponse, user_id: str, filters: Query[UserLogQuery]
):
    """One user's logs (as GET /api/logs?userId=); 404 for a user that does not exist."""
    users = get_user_model().objects
    if len(user_id) > 64 or "\x00" in user_id or not users.filter(pk=user_id).exists():
        raise LogError(404, "entity.not_found", "The user does not exist.")
    return _page(request, response, user_id=user_id, params=request.GET)
