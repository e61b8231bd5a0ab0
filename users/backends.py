from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.db.models.functions import Lower


class IdentifierBackend(ModelBackend):
    """Sign in with a username or an email, either case-insensitively.

    Suspended users are refused by `user_can_authenticate` (their `is_active` is False); a missing
    user still costs one password hash, so timing does not tell whether an account exists.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        User = get_user_model()
        value = username.strip().lower()
        user = (
            User.objects.annotate(_username=Lower("username"), _email=Lower("primary_email"))
            .filter(Q(_username=value) | Q(_email=value))
            .first()
        )
        if user is None:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
