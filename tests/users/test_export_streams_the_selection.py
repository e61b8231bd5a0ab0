"""Export streams the users the table URL selects, in id order, with the chosen columns; CSV
cells a spreadsheet would run as formulas start with a quote; one audit row per export."""

import csv
import io
import json
from http import HTTPStatus

import pytest
from django.http import StreamingHttpResponse

from audit.models import Log
from tests.access.factories import (
    MembershipFactory,
    OrganizationFactory,
    RoleFactory,
    UserRoleFactory,
)
from tests.factories import EditorFactory, UserFactory
from users import transfer
from users.models import User

pytestmark = pytest.mark.django_db

EXPORT = "/console/users/export"


def download(client, query="", **data):
    data.setdefault("format", "csv")
    data.setdefault("columns", ["id", "username", "primary_email", "name"])
    response = client.post(EXPORT + query, data)
    assert response.status_code == HTTPStatus.OK, response.content[:500]
    assert isinstance(response, StreamingHttpResponse)
    return response, b"".join(response.streaming_content).decode()


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_holds_every_user_in_id_order_with_the_chosen_columns(admin_client, admin_user):
    users = [UserFactory() for _ in range(5)]
    response, text = download(admin_client)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(text)
    assert list(rows[0]) == ["id", "username", "primary_email", "name"]
    assert [r["id"] for r in rows] == sorted(u.pk for u in [*users, admin_user])


def test_only_the_users_the_search_selects_are_exported(admin_client):
    UserFactory(name="Zed Other")
    wanted = UserFactory(name="Quentin Marlowe")
    _, text = download(admin_client, "?search=marlowe")
    assert [r["id"] for r in csv_rows(text)] == [wanted.pk]


def test_formula_cells_start_with_a_quote_in_csv(admin_client):
    for i, name in enumerate(["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx"]):
        UserFactory(username=f"f_{i}", name=name)
    UserFactory(username="f_quote", name="'=already")
    _, text = download(admin_client, columns=["username", "name"])
    names = {r["username"]: r["name"] for r in csv_rows(text) if r["username"].startswith("f_")}
    assert names["f_0"] == "'=cmd|' /C calc'!A0"
    assert [names[f"f_{i}"] for i in range(1, 6)] == ["'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx"]
    assert names["f_quote"] == "''=already"
    assert {transfer.unescape_cell(v) for v in names.values()} >= {
        "=cmd|' /C calc'!A0",
        "'=already",
    }


def test_json_lines_keep_types_roles_and_organizations(admin_client):
    user = UserFactory(username="typed", custom_data={"plan": "pro", "seats": 3}, is_suspended=True)
    UserRoleFactory(user=user, role=RoleFactory(name="Auditor"))
    MembershipFactory(user=user, organization=OrganizationFactory(name="Acme"))
    response, text = download(
        admin_client,
        format="jsonl",
        columns=["username", "custom_data", "roles", "organizations", "is_suspended", "created_at"],
    )
    assert response["Content-Type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in text.splitlines()]
    row = next(r for r in rows if r["username"] == "typed")
    assert row["custom_data"] == {"plan": "pro", "seats": 3}
    assert row["roles"] == ["Auditor"] and row["organizations"] == ["Acme"]
    assert row["is_suspended"] is True
    assert row["created_at"].startswith(str(user.created_at.year))


def test_one_audit_row_per_export_with_count_and_columns_never_the_data(admin_client):
    UserFactory(name="Secret Name", primary_email="secret@example.com")
    download(admin_client, columns=["primary_email", "name"])
    log = Log.objects.get(key="Console.User.Export")
    assert log.payload["rowCount"] == User.objects.count()
    assert log.payload["columns"] == ["primary_email", "name"]
    assert log.payload["includesPasswordHashes"] is False
    assert "secret@example.com" not in json.dumps(log.payload)


def test_password_hashes_are_left_out_unless_a_superuser_ticks_the_option(admin_client):
    UserFactory(username="with_pw", password="imported-password-1")
    _, text = download(admin_client, columns=["username"])
    assert "password_digest" not in text and "argon2" not in text
    _, text = download(admin_client, columns=["username"], include_passwords="on")
    row = next(r for r in csv_rows(text) if r["username"] == "with_pw")
    assert row["password_digest"].startswith("$argon2")
    assert row["password_algorithm"] == "Argon2id"
    flags = Log.objects.filter(key="Console.User.Export").values_list(
        "payload__includesPasswordHashes", flat=True
    )
    assert sorted(flags) == [False, True]


def test_an_editor_asking_for_password_hashes_is_refused(client):
    client.force_login(EditorFactory())
    response = client.post(EXPORT, {"format": "csv", "columns": ["id"], "include_passwords": "on"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Log.objects.filter(key="Console.User.Export").exists()


def test_an_editor_exports_without_hashes(client):
    client.force_login(EditorFactory())
    _, text = download(client, columns=["id"])
    assert text.startswith("id\r\n")


def test_a_viewer_may_not_export(viewer_client):
    assert viewer_client.get(EXPORT).status_code == HTTPStatus.FORBIDDEN
    response = viewer_client.post(EXPORT, {"format": "csv", "columns": ["id"]})
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_unknown_columns_or_formats_are_refused_with_400(admin_client):
    assert admin_client.post(EXPORT, {"format": "csv", "columns": ["password"]}).status_code == 400
    assert admin_client.post(EXPORT, {"format": "xlsx", "columns": ["id"]}).status_code == 400
    assert admin_client.post(EXPORT, {"format": "csv"}).status_code == 400
    assert not Log.objects.filter(key="Console.User.Export").exists()


def test_rows_come_from_the_database_a_chunk_at_a_time(admin_user, django_assert_max_num_queries):
    for _ in range(7):
        user = UserFactory()
        UserRoleFactory(user=user)
    columns = ["id", "roles", "organizations"]
    with django_assert_max_num_queries(3 * 4 + 2):
        rows = list(transfer.export_rows(User.objects.all(), columns, chunk_size=2))
    assert [r["id"] for r in rows] == sorted(User.objects.values_list("pk", flat=True))
