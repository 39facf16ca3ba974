"""The member's use cases on its own store (SQLite and PostgreSQL): indicators from the
store, and matches landing as intelligence records for rule 2.8 and the graph."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from factories import CUSTOMER_COLUMNS, customer, write_csv
from qinglang.alliance.client import HubClient
from qinglang.alliance.hub import Hub
from qinglang.alliance.hub_app import create_app
from qinglang.alliance.hub_store import open_hub_store
from qinglang.services import alliance
from qinglang.services.importing import import_file
from qinglang.store.tables import record_tables
from qinglang.store.tables_alliance import alliance_contributions, alliance_match_runs
from qinglang.store.tables_graph import gang_members, gangs

INTEL_COLUMNS = ["indicator", "kind", "category", "source", "first_seen", "last_seen",
                 "confidence"]


@pytest.fixture
def connect(tmp_path, engine, db_url):
    """A hub on the same backend (on PostgreSQL in the same database, beside the member's
    tables: its own tables and migration history keep them apart)."""
    hub_url = f"sqlite:///{tmp_path / 'hub.db'}" if db_url.startswith("sqlite") else db_url
    hub = Hub(open_hub_store(hub_url), tmp_path / "hub", "admin", {"k": 2})
    transport = TestClient(create_app(hub))._transport

    def connect(token):
        return HubClient("http://hub", token, transport=transport)

    return connect


def _own_intelligence(engine, settings, tmp_path):
    rows = [{"indicator": "13800138000", "kind": "phone", "category": "agent_rights",
             "source": "own", "first_seen": "2024-01-01", "last_seen": "2024-02-01",
             "confidence": "0.9"},
            {"indicator": "zx_abc123", "kind": "wechat", "category": "fraud", "source": "own",
             "first_seen": "", "last_seen": "", "confidence": ""}]
    import_file(engine, settings, write_csv(tmp_path / "intelligence.csv", INTEL_COLUMNS, rows))


def _gang(engine, org):
    now = datetime(2024, 5, 1)
    with engine.begin() as conn:
        conn.execute(insert(gangs).values(org=org, gang_id="G1", kind="agent", score=80,
                                          n_customers=3, n_complaints=5, first_seen=now,
                                          last_seen=now, channels=[], regions=[], rules=[],
                                          identifiers=[], updated_at=now))
        conn.execute(insert(gang_members), [
            {"org": org, "gang_id": "G1", "member_type": "qq", "member_key": "123456789",
             "role": "agent"},
            {"org": org, "gang_id": "G1", "member_type": "customer", "member_key": "C00001",
             "role": "victim"}])


def test_contributions_from_the_store_and_matches_into_intelligence(engine, settings, tmp_path,
                                                                    connect):
    _own_intelligence(engine, settings, tmp_path)
    _gang(engine, settings.org)
    indicators = alliance.indicators_from_store(engine, settings.org, 30)
    assert set(indicators.keys) == {"phone:+8613800138000", "wechat:zx_abc123", "qq:123456789"}
    admin = connect("admin")
    with connect(admin.register("self", None)) as me, alliance.workers(1) as pool:
        assert alliance.contribute(engine, settings.org, me, indicators, pool) == 3
    theirs = alliance.Indicators(
        {k: v for k, v in indicators.facts.items() if k.startswith("phone")})
    theirs.add("email", "X1@Example.com", category="fraud")
    with connect(admin.register("other", None)) as other, alliance.workers(1) as pool:
        alliance.contribute(engine, "other-org", other, theirs, pool)
    # a customer whose reserved phone is the agent's number, spelled differently
    write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS,
              [customer(1, reserved_phone="+86 138 0013 8000", email="x1@example.com")])
    import_file(engine, settings, tmp_path / "customers.csv")
    checked = alliance.indicators_from_store(engine, settings.org, 30, checked=True)
    assert "email:x1@example.com" in checked.keys
    with connect(admin.register("checker", None)) as me, alliance.workers(1) as pool:
        report = alliance.match(engine, settings, me, checked, pool)
    assert report.matched == 4 and report.items == len(checked.keys)
    intelligence = record_tables["intelligence"]
    with engine.connect() as conn:
        records = {r["indicator_key"]: r for r in conn.execute(select(intelligence).where(
            intelligence.c.org == settings.org)).mappings()}
        runs = conn.execute(select(alliance_match_runs)).mappings().all()
        contributed = conn.execute(select(alliance_contributions.c.indicator_key).where(
            alliance_contributions.c.org == settings.org)).scalars().all()
    # the member's own record keeps its source and gains the alliance's view
    phone = records["phone:+8613800138000"]
    assert phone["source"] == "own" and phone["attrs"]["alliance"]["institutions"] == 2
    assert records["qq:123456789"]["source"] == "alliance"
    assert records["qq:123456789"]["category"] == "agent"
    assert records["qq:123456789"]["attrs"]["alliance"]["institutions"] is None
    assert records["email:x1@example.com"]["source"] == "alliance"
    assert records["email:x1@example.com"]["category"] == "fraud"
    assert len(runs) == 1 and runs[0]["matched"] == 4 and runs[0]["bytes_sent"] > 0
    assert sorted(contributed) == sorted(indicators.keys)
    # what the alliance said is not contributed back as the member's own
    again = alliance.indicators_from_store(engine, settings.org, 30)
    assert sorted(again.keys) == sorted(indicators.keys)


def test_withdrawn_contributions_are_marked_in_the_store(engine, settings, tmp_path, connect):
    _own_intelligence(engine, settings, tmp_path)
    indicators = alliance.indicators_from_store(engine, settings.org, 30)
    with connect(connect("admin").register("self", None)) as me, alliance.workers(1) as pool:
        alliance.contribute(engine, settings.org, me, indicators, pool)
        assert alliance.withdraw(engine, settings.org, me, None, pool) == 2
    with engine.connect() as conn:
        withdrawn = conn.execute(select(alliance_contributions.c.withdrawn_at)).scalars().all()
    assert len(withdrawn) == 2 and all(isinstance(w, datetime) for w in withdrawn)
