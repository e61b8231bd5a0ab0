"""A large import into a small directory (PostgreSQL) drops the user table's non-unique indexes,
writes its batches, and builds them again (CONCURRENTLY): the same indexes as the migrations
made, whatever happens in between, and an import that dies leaves them to the next one."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from audit.recorder import Origin
from tests.factories import UserFactory
from users import search, transfer, transfer_pg
from users.models import SetAsideIndex, User

pytestmark = [
    pytest.mark.django_db(transaction=True),  # CREATE INDEX CONCURRENTLY needs no transaction
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


@pytest.fixture(autouse=True)
def indexes_restored(transactional_db):
    """Whatever a test leaves set aside is built again, so a failure cannot take the indexes
    from the tests that come after it."""
    yield
    transfer_pg.restore_indexes()


@pytest.fixture
def large(monkeypatch):
    """What counts as a large import, made small enough for a test."""
    monkeypatch.setattr(transfer_pg, "REBUILD_FROM", 20)


def _indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
            [User._meta.db_table],
        )
        return cursor.fetchall()


def _non_unique(indexes) -> int:
    """All but the primary key, the unique identifiers and the newest-first one: the other sort
    btrees, the GIN indexes, the search walk's covering index, the foreign key's and the `_like`
    ones (13 today)."""
    return sum(
        " UNIQUE " not in definition and name not in transfer_pg.KEPT
        for name, definition in indexes
    )


def _set_aside() -> list[str]:
    return list(SetAsideIndex.objects.values_list("name", flat=True))


def _file(count: int) -> bytes:
    rows = "".join(f"lark{n},Larkspur Umbridge{n}\n" for n in range(count))
    return ("username,name\n" + rows).encode()


def _run(data: bytes, **options):
    return transfer.run_import(
        lambda: io.BytesIO(data), transfer.CSV, origin=Origin.system("test"), **options
    )


def test_a_large_import_builds_the_same_indexes_as_the_migrations_made(large):
    before = _indexes()
    during = []
    report = _run(_file(30), batch_size=10, progress=lambda done, total: during.append(_indexes()))
    assert report.created == 30
    assert report.rebuilt_indexes == _non_unique(before) >= 12
    assert {name for name, _ in during[-1]} == {
        "users_user_pkey",
        "user_username_unique_ci",
        "user_email_unique_ci",
        "user_phone_unique",
        "user_newest_first",
    }
    assert _indexes() == before
    assert _set_aside() == []
    assert len(search.search_users("larkspur", page=1, page_size=50).users) == 30


def test_a_fault_between_two_batches_leaves_every_index_in_place(large, monkeypatch):
    before = _indexes()
    write_range = transfer_pg._write_range
    batches = []

    def failing(report, after, last, **options):
        batches.append(last)
        if len(batches) == 2:
            raise RuntimeError("the disk is full")
        return write_range(report, after, last, **options)

    monkeypatch.setattr(transfer_pg, "_write_range", failing)
    with pytest.raises(RuntimeError):
        _run(_file(30), batch_size=10)
    assert User.objects.count() == 10  # the first batch, whole; nothing of the second
    assert _indexes() == before
    assert _set_aside() == []


def test_indexes_an_import_that_died_left_are_built_by_the_next_step():
    before = _indexes()
    aside = _non_unique(before)
    assert transfer_pg.set_aside_indexes() == aside  # ... and the process is killed here
    assert len(_indexes()) == len(before) - aside
    out = io.StringIO()
    call_command("import_users", "--restore-indexes", stdout=out)
    assert out.getvalue().strip() == f"{aside} indexes built"
    assert _indexes() == before
    assert _set_aside() == []


def test_an_interrupted_build_is_dropped_and_made_again():
    before = _indexes()
    transfer_pg.set_aside_indexes()
    with connection.cursor() as cursor:
        # What a killed CREATE INDEX CONCURRENTLY leaves: the index, marked invalid.
        cursor.execute("CREATE INDEX user_last_sign_in ON users_user (created_at)")
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'user_last_sign_in'::regclass"
        )
    assert transfer_pg.restore_indexes() == _non_unique(before)
    assert _indexes() == before


def test_the_next_import_builds_them_before_it_writes():
    before = _indexes()
    transfer_pg.set_aside_indexes()
    report = _run(_file(3))
    assert report.created == 3
    assert _indexes() == before
    assert _set_aside() == []


def test_a_small_import_keeps_its_indexes_up_to_date_row_by_row():
    report = _run(_file(30))
    assert report.rebuilt_indexes == 0


def test_an_import_into_a_directory_not_ten_times_smaller_keeps_them(large):
    UserFactory.create_batch(4)
    assert _run(_file(30)).rebuilt_indexes == 0


def _command(tmp_path, *options) -> str:
    path = tmp_path / "users.csv"
    path.write_bytes(_file(30))
    out = io.StringIO()
    call_command("import_users", str(path), *options, stdout=out)
    assert User.objects.filter(username__startswith="lark").count() == 30
    return out.getvalue()


def test_the_command_says_it_built_them_after_the_load(large, tmp_path):
    aside = _non_unique(_indexes())
    assert f"{aside} indexes of the user table built after the load" in _command(tmp_path)


def test_keep_indexes_keeps_them(large, tmp_path):
    assert "built after the load" not in _command(tmp_path, "--keep-indexes")
