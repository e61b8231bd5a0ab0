from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@permission_required("audit.view_log", raise_exception=True)
def log_list(request):
    return render(request, "audit/log_list.html", {})
