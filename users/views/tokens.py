"""A user's personal access tokens (Settings tab): create (the value is shown once, in the POST
response only), rename, delete. Plain dialog views, as in users/views/user_actions.py."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from audit.recorder import Origin
from console.dialogs import is_fragment, posted, reload, render_dialog, submitted
from users import services
from users.errors import ServiceError
from users.forms import RenameTokenForm, TokenForm
from users.views.directory import get_user_or_404
from users.views.refusals import refuse
from users.views.user_actions import CHANGE, _back, _unless_posted, _user_dialog


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
@sensitive_variables("created", "context")
def token_new(request, user_id):
    subject = get_user_or_404(user_id)
    dialog = _user_dialog(
        subject,
        "users:token-new",
        title="Create personal access token",
        text="The token is shown once. Only a hash of it is kept.",
        submit="Create token",
    )
    form = TokenForm(posted(request))
    if not submitted(request, form):
        return render_dialog(
            request, dialog, subject=subject, form=form, status=_unless_posted(request)
        )
    try:
        created = services.create_personal_access_token(
            subject,
            origin=Origin.from_request(request),
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
        )
    except (ValidationError, ServiceError) as refusal:
        status = refuse(form, refusal)
        return render_dialog(request, dialog, subject=subject, form=form, status=status)
    context = {"subject": subject, "token": created.token, "value": created.value}
    fragment = "#token-result" if is_fragment(request) else ""
    return render(request, "users/token_result.html" + fragment, context)


def _get_token(subject, token_id):
    return get_object_or_404(subject.access_tokens, pk=token_id)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def token_rename(request, user_id, token_id):
    subject = get_user_or_404(user_id)
    token = _get_token(subject, token_id)
    dialog = _user_dialog(
        subject,
        "users:token-rename",
        token.pk,
        title="Rename token",
        submit="Save",
    )
    form = RenameTokenForm(posted(request), initial={"name": token.name})
    if not submitted(request, form):
        return render_dialog(
            request, dialog, subject=subject, form=form, status=_unless_posted(request)
        )
    try:
        services.rename_personal_access_token(
            token, origin=Origin.from_request(request), name=form.cleaned_data["name"]
        )
    except (ValidationError, ServiceError) as refusal:
        status = refuse(form, refusal)
        return render_dialog(request, dialog, subject=subject, form=form, status=status)
    return reload(request, "Token renamed.", _back(subject))


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@vary_on_headers("HX-Request")
def token_delete(request, user_id, token_id):
    subject = get_user_or_404(user_id)
    token = _get_token(subject, token_id)
    dialog = _user_dialog(
        subject,
        "users:token-delete",
        token.pk,
        title="Delete token",
        text=f"Delete the token “{token.name}”? Programs using it will be refused at once.",
        submit="Delete token",
        danger=True,
    )
    if request.method == "POST":
        try:
            services.delete_personal_access_token(token, origin=Origin.from_request(request))
        except ServiceError as e:
            return render_dialog(request, dialog, subject=subject, error=e.message, status=e.status)
        return reload(request, "Token deleted.", _back(subject))
    return render_dialog(request, dialog, subject=subject)
