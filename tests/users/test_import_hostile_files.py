"""Files made to break the import give line-numbered errors (or a refusal of the whole file),
never a 500 and never a half-written directory."""

import io
import os

import pytest

from tests.security.probes import snapshot
from users import transfer

pytestmark = pytest.mark.django_db


def check(data: bytes, fmt="csv"):
    return transfer.check_import(lambda: io.BytesIO(data), fmt)


def lines_of(report):
    return sorted({e.line for e in report.errors})


def test_a_nul_character_in_a_cell_is_an_error_on_its_line():
    report = check(b"username,name\nann,A\x00nn\nbob,Bob\n")
    assert lines_of(report) == [2] and report.valid == 1


def test_a_row_with_the_wrong_number_of_cells_is_an_error():
    report = check(b"username,name\nann,Ann,extra\nbob\n")
    assert lines_of(report) == [2, 3]


def test_an_unterminated_quote_is_an_error_not_a_swallowed_file():
    report = check(b'username,name\nann,"Ann\nbob,Bob\n')
    assert not report.ok
    assert report.valid == 0


def test_random_bytes_named_csv_are_refused_without_a_crash():
    data = os.urandom(4096)
    try:
        report = check(data)
    except transfer.FileError:
        return
    assert not report.ok


def test_deeply_nested_json_is_an_error_on_its_line():
    deep = b'{"username": "deep", "custom_data": ' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}\n"
    report = check(b'{"username": "ok"}\n' + deep, "jsonl")
    assert lines_of(report) == [2] and report.valid == 1


def test_a_huge_json_line_is_an_error_on_its_line():
    huge = b'{"username": "big", "name": "' + b"x" * (transfer.MAX_FIELD * 4) + b'"}\n'
    report = check(huge + b'{"username": "ok"}\n', "jsonl")
    assert lines_of(report) == [1] and report.valid == 1


def test_a_hostile_file_writes_nothing_on_a_run():
    from audit.recorder import Origin

    before = snapshot()
    data = b'username,custom_data\nann,"{""a"": NaN}"\n\xff\xfe,x\n'
    report = transfer.run_import(lambda: io.BytesIO(data), "csv", origin=Origin.system("test"))
    assert not report.ran and lines_of(report) == [2, 3]
    assert snapshot() == before
