"""manage.py create_staff: a console member with a generated password, printed once."""

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit.models import Log
from tests.factories import UserFactory
from users import staff
from users.models import User

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"password: (\S+)", output).group(1)


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_it_creates_a_member_with_the_role_and_prints_a_one_time_password(role):
    output = run("--role", role, "--email", "Ops@Example.com", "--name", "Ops")

    member = User.objects.get(primary_email="Ops@example.com")
    assert staff.role_of(member) == role
    assert member.name == "Ops" and member.is_staff
    password = printed_password(output)
    assert member.check_password(password) and password not in member.password
    assert "shown once" in output
    log = Log.objects.get(key="System.Staff.Add")
    assert log.actor is None and log.actor_label == "create_staff"
    assert log.payload["role"] == {"old": None, "new": role}
    assert not any(password in str(row.payload) for row in Log.objects.all())


def test_a_username_is_enough():
    output = run("--role", "viewer", "--username", "night_shift")
    assert "username: night_shift" in output
    assert User.objects.get(username="night_shift").check_password(printed_password(output))


def test_a_taken_email_is_an_error_and_changes_nothing():
    existing = UserFactory(primary_email="taken@example.com")
    with pytest.raises(CommandError, match="--email: This email is already in use."):
        run("--role", "admin", "--email", "TAKEN@example.com")
    existing.refresh_from_db()
    assert not existing.is_staff
    assert User.objects.count() == 1


def test_an_invalid_email_is_an_error():
    with pytest.raises(CommandError, match="--email: Enter a valid email address"):
        run("--role", "viewer", "--email", "not-an-email")
    assert not User.objects.exists()


def test_no_email_and_no_username_is_an_error():
    with pytest.raises(CommandError, match="Give --email or --username"):
        run("--role", "viewer", "--name", "Nobody")


def test_an_unknown_role_is_an_error():
    with pytest.raises(CommandError, match="invalid choice: 'owner'"):
        run("--role", "owner", "--email", "x@example.com")
    assert not User.objects.exists()


def test_the_command_exits_non_zero_from_a_shell(tmp_path):
    """What an operator sees: a message on stderr and exit status 1, not a traceback."""
    result = subprocess.run(
        [sys.executable, "manage.py", "create_staff", "--role", "viewer"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        env={
            "GATEHOUSE_LOCAL": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "PATH": "/usr/bin:/bin",
        },
        check=False,
    )
    assert result.returncode == 1
    assert "Give --email or --username" in result.stderr
    assert "Traceback" not in result.stderr
