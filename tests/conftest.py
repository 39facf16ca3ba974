"""Shared fixtures: settings in a temporary home, and a store on each backend.

The PostgreSQL store runs against a real server named by QINGLANG_TEST_PG_URL (CI starts one
with scripts/pg-test-server). Without it those tests are skipped, and said so — except under
CI, where a missing server is a failure.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from factories import TEST_KEY
from qinglang.settings import Settings
from qinglang.store.db import create_store_engine, migrate

PG_URL = os.environ.get("QINGLANG_TEST_PG_URL")



def pytest_report_header(config):
    if PG_URL:
        return f"PostgreSQL store tests: {PG_URL.split('@')[-1]}"
    return "PostgreSQL store tests: SKIPPED (QINGLANG_TEST_PG_URL not set)"


def _reset_postgres(url: str) -> None:
    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL store tests: QINGLANG_TEST_PG_URL is not set")
        pytest.skip("no PostgreSQL server: set QINGLANG_TEST_PG_URL (scripts/pg-test-server)")
    _reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def settings(tmp_path, db_url) -> Settings:
    return Settings(home=tmp_path / "home", db_url=db_url, org="test-bank", batch_rows=7,
                    max_field_chars=10_000, secret_key_hex=TEST_KEY)


@pytest.fixture
def engine(settings):
    engine = create_store_engine(settings.db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_store(db_url, tmp_path):
    """Makes an empty store on the same backend each call (PostgreSQL: the previous is gone)."""
    made = []

    def make() -> str:
        made.append(None)
        if db_url.startswith("sqlite"):
            return f"sqlite:///{tmp_path / f'fresh{len(made)}.db'}"
        _reset_postgres(db_url)
        return db_url

    return make
