from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from users.views.directory import get_user_or_404


@require_GET
@permission_required("users.view_user", raise_exception=True)
def user_logs(request, user_id):
    subject = get_user_or_404(user_id)
    return render(request, "users/user_tab_placeholder.html", {"subject": subject, "tab": "logs"})


@require_GET
@permission_required("users.view_user", raise_exception=True)
def user_log_detail(request, user_id, log_id):
    subject = get_user_or_404(user_id)
    return render(request, "users/user_tab_placeholder.html", {"subject": subject, "tab": "logs"})
