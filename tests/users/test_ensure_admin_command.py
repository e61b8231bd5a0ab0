"""`manage.py ensure_admin`: the first admin, its generated password printed once with where to sign in."""

from io import StringIO

import pytest
from django.core.management import call_command

from users.models import User

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def test_the_first_admin_is_made_with_a_password_that_signs_in_and_is_printed_once():
    output = run()

    admin = User.objects.get(username="admin")
    password = output.split("password: ")[1].split()[0]
    assert admin.is_superuser
    assert admin.check_password(password)
    assert "Sign in at http://127.0.0.1:8000/console/sign-in" in output
    assert password not in run()  # a second run says an admin exists, and shows no password


def test_the_sign_in_address_follows_the_port_make_run_serves_on():
    assert "Sign in at http://0.0.0.0:8010/console/sign-in" in run("--url", "http://0.0.0.0:8010/")
