"""Errors are JSON with stable codes, and never repeat what was sent."""

from __future__ import annotations

from api_seed import SHARED_PHONE

SECRET_LOOKING = "110105198503121234"


def test_validation_errors_name_the_field_not_the_value(client, as_role):
    response = client.get("/api/v1/complaints", params={"min_risk": SECRET_LOOKING + "x"},
                          headers=as_role("viewer"))
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "invalid_request"
    assert body["error"]["problems"] == [{"where": "query.min_risk", "problem": "int_parsing"}]
    assert SECRET_LOOKING not in response.text


def test_a_login_body_is_never_echoed(client):
    response = client.post("/api/v1/auth/login", json={"username": SHARED_PHONE,
                                                       "password": 12345})
    assert response.status_code == 422 and SHARED_PHONE not in response.text


def test_an_upload_with_an_unusable_name_is_refused(client, as_role):
    response = client.post("/api/v1/imports", headers=as_role("analyst"),
                           files={"file": (f"{SHARED_PHONE}.exe", b"x")})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"
    assert SHARED_PHONE not in response.text


def test_unknown_paths_are_json_errors(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
