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
from console.dialogs import is_fragment, posted, render_dialog, submitted
from users import services
from users.errors import ServiceError
from users.forms import RenameTokenForm, TokenForm
from users.views.dialogs import ConfirmDialog, FormDialog
from users.views.directory import get_user_or_404
from users.views.refusals import refuse
from users.views.user_actions import CHANGE, UserDialog, _unless_posted, _user_dialog


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


class TokenDialog(UserDialog):
    """A dialog about one of the user's tokens."""

    def load(self):
        super().load()
        self.token = get_object_or_404(self.subject.access_tokens, pk=self.kwargs["token_id"])


class TokenRename(TokenDialog, FormDialog):
    title = "Rename token"
    submit = "Save"
    message = "Token renamed."

    def get_form(self, data):
        return RenameTokenForm(data, initial={"name": self.token.name})

    def save(self, form):
        name = form.cleaned_data["name"]
        services.rename_personal_access_token(self.token, origin=self.origin, name=name)


class TokenDelete(TokenDialog, ConfirmDialog):
    title = "Delete token"
    submit = "Delete token"
    danger = True
    message = "Token deleted."

    def get_text(self):
        return f"Delete the token “{self.token.name}”? Programs using it will be refused at once."

    def act(self):
        services.delete_personal_access_token(self.token, origin=self.origin)
