"""schemathesis drives every operation of the published OpenAPI spec with generated requests
(valid and invalid): none may end in a server error, and every error is our JSON shape."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings
from fastapi.testclient import TestClient

from api_seed import ORGS, PASSWORD, seed_institution
from factories import TEST_KEY
from qinglang.api import create_app
from qinglang.services.accounts import add_account, issue_token
from qinglang.settings import Settings
from qinglang.store.db import create_store_engine, migrate

def _settings(home: Path) -> Settings:
    return Settings(home=home, db_url=f"sqlite:///{home / 'store.db'}", org=ORGS[0],
                    batch_rows=50, max_field_chars=10_000, secret_key_hex=TEST_KEY)


# The spec is read at collection; the store behind the app is made by the fixture below.
APP = create_app(_settings(Path(".")), create_store_engine("sqlite://"))
api = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    home = tmp_path_factory.mktemp("fuzz")
    settings = _settings(home)
    engine = create_store_engine(settings.db_url)
    migrate(engine)
    seed_institution(engine, settings, home, ORGS[0], "A")
    add_account(engine, ORGS[0], "admin", PASSWORD, "admin")
    APP.state.settings, APP.state.engine = settings, engine
    yield APP, engine
    engine.dispose()


@api.parametrize()
@hypothesis_settings(max_examples=25, deadline=None,
                     suppress_health_check=list(HealthCheck))
def test_no_operation_ends_in_a_server_error(case, fuzzed):
    _, engine = fuzzed
    token = issue_token(engine, ORGS[0], "admin", "fuzz").secret
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"code", "message"}


def test_the_spec_is_published_without_login(fuzzed):
    with TestClient(fuzzed[0]) as client:
        spec = client.get("/api/openapi.json").json()
    assert "/api/v1/complaints/{complaint_id}/reveal" in spec["paths"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
