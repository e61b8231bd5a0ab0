"""PostgreSQL checks a file in SQL over a staging table (users/transfer_pg.py): it finds the same
errors, on the same lines, with the same messages, as the row-by-row check through the ORM."""

import io

import pytest
from django.db import connection

from tests.access.factories import RoleFactory
from tests.factories import UserFactory, ViewerFactory
from users import transfer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own check"),
]

HOSTILE = (
    "id,username,primary_email,primary_phone,name,roles,password_digest,password_algorithm\n"
    ",ann,ann@example.com,,Ann,Editor,,\n"
    ",ANN,other@example.com,,Same username any case,,,\n"
    ",bob,ANN@example.com,,Same email,,,\n"
    ",,,+44 20 7946 0958,Phone,,,\n"
    ",,,442079460958,Same phone,,,\n"
    ",taken,,,Exists,,,\n"
    ",taken,mixed@example.com,,Two owners,,,\n"
    ",staffer,,,A console member,,,\n"
    ",1bad,,,Bad username,,,\n"
    ",carl,,,No such role,Nobody,,\n"
    ",dora,,,Bad digest,,abc,SHA256\n"
    '"=cmd|x",eve,,,"=HYPERLINK(""x"")",,,\n'
    "abcdefabcdef,fred,,,Given id,,,\n"
    "abcdefabcdef,greg,,,Same id,,,\n"
    ",hugo,,,Fine,,,\n"
)


def reports(content: str, on_existing: str):
    opener = lambda: io.BytesIO(content.encode())  # noqa: E731
    staged = transfer.check_import(opener, transfer.CSV, on_existing=on_existing)
    orm = transfer.check_rows(opener, transfer.CSV, on_existing=on_existing)
    return staged, orm


def summary(report):
    return (
        sorted((e.line, e.field, e.message) for e in report.errors),  # (the ORM: batch by batch)
        report.rows,
        report.valid,
        report.new,
        report.existing,
        sorted(report.bad_lines),
    )


@pytest.mark.parametrize("on_existing", [transfer.SKIP, transfer.UPDATE])
def test_a_hostile_file_gets_the_same_report_both_ways(on_existing):
    RoleFactory(name="Editor")
    UserFactory(username="taken")
    UserFactory(username="other", primary_email="mixed@example.com")
    ViewerFactory(username="staffer")
    staged, orm = reports(HOSTILE, on_existing)
    assert summary(staged) == summary(orm)
    assert staged.rows_failed >= 9
