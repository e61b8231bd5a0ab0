"""The dry run validates every row and reports errors by line; it writes nothing. Hostile files
(bad encoding, huge cells, duplicate rows, formula cells) give line-numbered errors, never a 500."""

import io

import pytest

from tests.access.factories import MachineRoleFactory, OrganizationFactory, RoleFactory
from tests.factories import UserFactory
from tests.security.probes import snapshot
from users import transfer

pytestmark = pytest.mark.django_db


def check(content, fmt="csv", **options):
    data = content.encode() if isinstance(content, str) else content
    return transfer.check_import(lambda: io.BytesIO(data), fmt, **options)


def errors_by_line(report):
    found = {}
    for error in report.errors:
        found.setdefault(error.line, []).append(error.message)
    return found


def test_a_clean_file_passes_and_counts_new_and_existing_rows():
    UserFactory(username="already_here")
    report = check("username,primary_email\nnew_one,new@example.com\nALREADY_HERE,\n")
    assert report.ok and report.rows == 2
    assert (report.new, report.existing) == (1, 1)


def test_bad_identifiers_json_roles_orgs_and_digests_are_reported_by_line():
    RoleFactory(name="Editor")
    MachineRoleFactory(name="Robot")
    OrganizationFactory(name="Acme")
    content = (
        "username,primary_email,primary_phone,custom_data,roles,organizations,password_digest,password_algorithm\n"
        "ok_user,,,,Editor,Acme,,\n"  # line 2: fine
        "1bad,,,,,,,\n"  # 3: username rule
        ",not-an-email,,,,,,\n"  # 4
        ",,12,,,,,\n"  # 5: not a phone
        'json_bad,,,"{nope",,,,\n'  # 6
        'json_list,,,"[1,2]",,,,\n'  # 7
        "role_missing,,,,Nobody,,,\n"  # 8
        "role_machine,,,,Robot,,,\n"  # 9
        "org_missing,,,,,Nowhere,,\n"  # 10
        "digest_bad,,,,,,abc,SHA256\n"  # 11
        "digest_alone,,,,,,abc,\n"  # 12
        ",,,,,,,\n"  # 13: no identifier
    )
    report = check(content)
    lines = errors_by_line(report)
    assert sorted(lines) == list(range(3, 14))
    assert report.valid == 1 and report.rows == 12
    assert any("No role" in m for m in lines[8])
    assert any("machine-to-machine" in m for m in lines[9])
    assert any("No organization" in m for m in lines[10])
    assert any("64 hexadecimal" in m for m in lines[11])
    assert any("at least one" in m for m in lines[13])


def test_duplicates_in_the_file_are_errors_on_the_second_line():
    content = (
        "username,primary_email\n"
        "ann,ann@example.com\n"
        "bob,bob@example.com\n"
        "ann,ann@example.com\n"  # the same row again
        "carl,BOB@Example.com\n"  # the same email, other case
    )
    report = check(content)
    lines = errors_by_line(report)
    assert sorted(lines) == [4, 5]
    assert "Same username as line 2." in lines[4]
    assert "Same primary_email as line 3." in lines[5]


def test_a_line_that_is_not_utf8_is_an_error_on_that_line():
    content = b"username,name\nfine,Ann\nlatin,Jos\xe9\nalso_fine,Bob\n"
    report = check(content)
    assert errors_by_line(report) == {3: ["Line 3 is not valid UTF-8 (byte 10)."]}
    assert report.valid == 2


def test_a_huge_cell_is_an_error_and_parsing_goes_on():
    huge = "x" * (transfer.MAX_FIELD + 10)
    content = f'username,name\nbig,"{huge}"\nsmall,Ann\n'
    report = check(content)
    assert list(errors_by_line(report)) == [2]
    assert report.valid == 1


def test_a_name_longer_than_the_field_is_an_error():
    report = check("username,name\nlong_name," + "n" * 129 + "\n")
    assert errors_by_line(report) == {2: ["Use at most 128 characters."]}


def test_formula_cells_are_plain_text():
    report = check('username,name\nformula,=HYPERLINK("http://x")\n')
    assert report.ok


def test_json_lines_errors_are_by_line():
    content = (
        '{"username": "ok"}\n'
        "\n"
        "{not json\n"
        '["a list"]\n'
        '{"username": "x", "password": "plain"}\n'
        '{"username": "nan", "custom_data": {"n": NaN}}\n'
    )
    report = check(content, "jsonl")
    assert sorted(errors_by_line(report)) == [3, 4, 5, 6]
    assert report.valid == 1


def test_an_unknown_column_refuses_the_file():
    with pytest.raises(transfer.FileError, match="unknown columns password"):
        check("username,password\nann,secret\n")


def test_a_file_without_an_identifier_column_is_refused():
    with pytest.raises(transfer.FileError, match="username, primary_email or primary_phone"):
        check("name\nAnn\n")


def test_identifiers_of_two_existing_users_in_one_row_are_an_error():
    UserFactory(username="first_user", primary_email="first@example.com")
    UserFactory(username="second_user", primary_email="second@example.com")
    report = check("username,primary_email\nfirst_user,second@example.com\n")
    assert "different existing users" in errors_by_line(report)[2][0]


def test_the_dry_run_writes_nothing():
    RoleFactory(name="Editor")
    before = snapshot()
    check("username,roles\nann,Editor\nbob,\n")
    assert snapshot() == before


def test_too_many_rows_are_refused():
    content = "username\n" + "".join(f"u{i}\n" for i in range(11))
    with pytest.raises(transfer.TooManyRows, match="import_users"):
        check(content, max_rows=10)
