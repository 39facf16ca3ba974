"""Every HTTP response carries the security headers, on pages, API answers and errors alike,
and a response that sets one itself keeps its own value."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from qinglang.api.app import SECURITY_HEADERS, SecurityHeaders


def _has_security_headers(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
        assert len(response.headers.get_list(name)) == 1, name


def test_dashboard_api_and_error_responses_carry_the_headers(client, as_role):
    _has_security_headers(client.get("/"))
    _has_security_headers(client.get("/api/v1/complaints", headers=as_role("analyst")))
    refused = client.get("/api/v1/complaints")
    assert refused.status_code == 401
    _has_security_headers(refused)


def test_a_header_the_response_sets_itself_is_kept():
    app = FastAPI()
    app.add_api_route("/cached", lambda: PlainTextResponse(
        "x", headers={"Cache-Control": "max-age=60"}))
    app.add_middleware(SecurityHeaders)
    response = TestClient(app).get("/cached")
    assert response.headers.get_list("Cache-Control") == ["max-age=60"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
