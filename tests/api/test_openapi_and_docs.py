"""/api/openapi.json describes every route with its error answers; /api/docs serves Swagger UI
from our own static files under a CSP relaxed for that page only."""

from http import HTTPStatus


def test_the_openapi_document_is_public_and_declares_error_bodies(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == HTTPStatus.OK
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "Error" in schema["components"]["schemas"]
    operations = [
        (path, method, op) for path, item in schema["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 30
    for path, method, op in operations:
        for status in ("400", "401", "403"):
            assert status in op["responses"], (method, path, status)
            content = op["responses"][status]["content"]["application/json"]["schema"]
            assert content["$ref"].endswith("/Error"), (method, path)
        assert op.get("security"), (method, path)


def test_the_docs_page_loads_swagger_from_static_not_a_cdn(client, db):
    response = client.get("/api/docs")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert "style-src 'self' 'unsafe-inline'" in policy


def test_only_the_docs_page_allows_inline_styles(client, db):
    response = client.get("/console/sign-in")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
