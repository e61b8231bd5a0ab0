"""The Management API's page headers (Logto's, spec §5.1), for every list it serves: users,
roles (users/api.py), audit logs (audit/api.py)."""

from urllib.parse import urlencode

from django.http import HttpResponse


def set_page_headers(
    request, response: HttpResponse, *, page: int, page_size: int, total: int, capped=False
):
    """`Total-Number` and RFC 5988 `Link` (first, prev, next, last), other parameters kept."""
    response["Total-Number"] = str(total)
    if capped:
        response["Total-Number-Is-Capped"] = "true"
    params = [(k, v) for k, v in request.GET.items() if k != "page"]
    base = request.build_absolute_uri(request.path)

    def link(number, rel):
        return f'<{base}?{urlencode([*params, ("page", number)])}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(page - 1, "prev"))
    if not capped:
        last = max(1, -(-total // page_size))
        if page < last:
            links.append(link(page + 1, "next"))
        links.append(link(last, "last"))
    response["Link"] = ", ".join(links)
