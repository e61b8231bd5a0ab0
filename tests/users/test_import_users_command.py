"""manage.py import_users FILE: the same check and writes as the console, a progress bar on
stderr, the summary on stdout, exit code 1 when rows failed."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import Log
from users.models import User

pytestmark = pytest.mark.django_db


def import_users(path, *args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_users", str(path), *args, stdout=out, stderr=err)
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue()


def test_a_clean_file_is_imported_with_a_summary(tmp_path, capsys):
    path = tmp_path / "users.csv"
    path.write_text("username,name\nann,Ann\nbob,Bob\n")
    code, out = import_users(path)
    assert code == 0
    assert "2 rows: 2 created, 0 updated, 0 skipped (already here), 0 failed" in out
    assert "Importing" in capsys.readouterr().err  # tqdm's bar
    assert Log.objects.get(key="System.User.Import").payload["created"] == 2


def test_a_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "users.jsonl"
    path.write_text('{"username": "ann"}\n')
    code, out = import_users(path, "--dry-run")
    assert code == 0 and "1 new" in out and "nothing written" in out
    assert not User.objects.filter(username="ann").exists()


def test_failed_rows_exit_1_and_are_listed_by_line(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("username\nann\n1bad\n")
    code, out = import_users(path)
    assert code == 1
    assert "line 3 [username]:" in out and "nothing written" in out
    assert not User.objects.filter(username="ann").exists()


def test_skip_bad_rows_imports_the_rest_and_still_exits_1(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("username\nann\n1bad\n")
    code, out = import_users(path, "--skip-bad-rows")
    assert code == 1 and "1 created" in out and "1 failed" in out
    assert User.objects.filter(username="ann").exists()


def test_a_rerun_skips_or_updates_existing_users(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("username,name\nann,Ann\n")
    import_users(path)
    code, out = import_users(path)
    assert code == 0 and "0 created" in out and "1 skipped" in out
    path.write_text("username,name\nann,Ann Lee\n")
    code, out = import_users(path, "--on-existing", "update")
    assert "1 updated" in out
    assert User.objects.get(username="ann").name == "Ann Lee"


def test_an_unreadable_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_users", str(tmp_path / "missing.csv"))
    path = tmp_path / "users.txt"
    path.write_text("username\nann\n")
    with pytest.raises(CommandError, match="--format"):
        call_command("import_users", str(path))
    path = tmp_path / "bad.csv"
    path.write_text("nope\nann\n")
    with pytest.raises(CommandError, match="unknown columns"):
        call_command("import_users", str(path))
