"""Gangs found in small stores, on SQLite and PostgreSQL: what joins customers into a gang,
what must not (hubs, weak links, pairs), stable ids, queries and exports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from sqlalchemy import select

from conftest import AGENT_PHONE, agent_gang, call
from factories import complaint, customer
from qinglang.services import gangs as service
from qinglang.store.tables_graph import gang_members


def _gangs(engine, org):
    return {g["gang_id"]: g for g in service.list_gangs(engine, org)}


def _customers_of(engine, org, gang_id):
    with engine.connect() as conn:
        return set(conn.execute(select(gang_members.c.member_key).where(
            gang_members.c.org == org, gang_members.c.gang_id == gang_id,
            gang_members.c.member_type == "customer")).scalars())


def test_an_agent_phone_behind_three_customers_is_one_gang(engine, settings, store):
    customers, complaints = agent_gang(1, 3)
    store.load(customers + [customer(50), customer(51)],
               complaints + [complaint(50, contact_phone="13911112222"),
                             complaint(51, contact_phone="13911112222")])
    summary = service.refresh_gangs(engine, settings.org)
    gangs = _gangs(engine, settings.org)
    assert summary.gangs == 1 and len(gangs) == 1
    (gang,) = gangs.values()
    assert _customers_of(engine, settings.org, gang["gang_id"]) == {"C00001", "C00002", "C00003"}
    assert gang["n_customers"] == 3 and gang["n_complaints"] == 3
    assert gang["kind"] == "agent_firm"
    assert gang["identifiers"] == [f"phone:+86{AGENT_PHONE}"]
    assert gang["channels"] == {"regulator": 3}


def test_voiceprint_and_call_numbers_join_customers(engine, settings, store):
    customers = [customer(i) for i in range(1, 5)]
    calls = [call(i, f"C{i:05d}", f"1590000{i:04d}", voiceprint="VP777") for i in range(1, 5)]
    store.load(customers, calls=calls)
    service.refresh_gangs(engine, settings.org)
    (gang,) = _gangs(engine, settings.org).values()
    assert gang["n_customers"] == 4
    assert gang["identifiers"] == ["voiceprint:VP777"]


def test_a_hub_number_joins_no_one(engine, settings, store):
    """45 customers calling from one switchboard: past the hub degree (40), no gang."""
    customers = [customer(i) for i in range(1, 46)]
    calls = [call(i, f"C{i:05d}", "02088886666") for i in range(1, 46)]
    store.load(customers, calls=calls)
    summary = service.refresh_gangs(engine, settings.org)
    assert summary.gangs == 0 and summary.hubs >= 1


def test_a_shared_home_building_is_a_weak_link(engine, settings, store):
    building = "北京市海淀区中关村大街1号院2号楼{}室"
    store.load([customer(i, address=building.format(100 + i)) for i in range(1, 6)])
    assert service.refresh_gangs(engine, settings.org).gangs == 0


def test_gang_id_is_stable_when_the_gang_grows(engine, settings, store):
    store.load(*agent_gang(1, 3))
    service.refresh_gangs(engine, settings.org)
    (first_id,) = _gangs(engine, settings.org)
    store.load(*agent_gang(4, 2))
    store.load(*agent_gang(20, 3, phone="13600002222"))
    service.refresh_gangs(engine, settings.org)
    gangs = _gangs(engine, settings.org)
    assert len(gangs) == 2
    assert gangs[first_id]["n_customers"] == 5
    (other,) = set(gangs) - {first_id}
    assert _customers_of(engine, settings.org, other) == {"C00020", "C00021", "C00022"}


def test_export_masks_identifiers_unless_asked(engine, settings, store):
    store.load(*agent_gang(1, 3))
    service.refresh_gangs(engine, settings.org)
    (row,) = service.gang_export_rows(engine, settings.org)
    assert list(row) == service.GANG_EXPORT_COLUMNS
    assert row["complaint_ids"] == "T00001;T00002;T00003"
    assert AGENT_PHONE not in row["identifiers"] and row["identifiers"].startswith("phone:+86 137")
    (full,) = service.gang_export_rows(engine, settings.org, unmasked=True)
    assert full["identifiers"] == f"phone:+86{AGENT_PHONE}"


def test_who_walks_k_hops_and_names_the_gang(engine, settings, store):
    customers, complaints = agent_gang(1, 3)
    store.load(customers, complaints, calls=[call(1, "C00001", "13500009999")])
    service.refresh_gangs(engine, settings.org)
    (gang_id,) = _gangs(engine, settings.org)
    one = service.who(engine, settings.org, f"phone:{AGENT_PHONE}", hops=1, unmasked=True)
    assert {n["id"] for n in one["nodes"] if n["hop"] == 1} == {"customer:C00001", "customer:C00002",
                                                                 "customer:C00003"}
    assert all(n["gang_id"] == gang_id for n in one["nodes"])
    two = service.who(engine, settings.org, AGENT_PHONE, hops=2, unmasked=True)
    assert "phone:+8613500009999" in {n["id"] for n in two["nodes"] if n["hop"] == 2}
    masked = service.who(engine, settings.org, AGENT_PHONE, hops=2)
    assert not any(AGENT_PHONE in n["id"] for n in masked["nodes"])


def test_graph_exports_read_back(engine, settings, store, tmp_path):
    store.load(*agent_gang(1, 3))
    service.refresh_gangs(engine, settings.org)
    (gang_id,) = _gangs(engine, settings.org)
    counts = service.export_graph(engine, settings.org, tmp_path / "g.graphml", "graphml")
    root = ET.parse(tmp_path / "g.graphml").getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == counts["nodes"] == 4
    assert len(root.findall(".//g:edge", ns)) == counts["links"] == 3
    service.export_graph(engine, settings.org, tmp_path / "g.json", "json")
    data = json.loads((tmp_path / "g.json").read_text("utf-8"))
    assert {n["gang_id"] for n in data["nodes"]} == {gang_id}
    assert not any(AGENT_PHONE in n["id"] for n in data["nodes"])


def test_agent_profiles_name_the_customers_and_demands(engine, settings, store):
    store.load(*agent_gang(1, 4))
    service.refresh_gangs(engine, settings.org)
    (profile,) = service.agent_profiles(engine, settings.org)
    assert profile["customers"] == 4 and profile["complaints"] == 4
    assert profile["demands"] == {"停止催收": 4, "减免利息": 4}
    assert profile["channels"] == {"regulator": 4}
    assert AGENT_PHONE not in profile["identifier"]


def test_analyze_builds_gangs_after_scoring_complaints(engine, settings, store):
    from qinglang.services.analyze import DETECTORS

    names = [name for name, _, _ in DETECTORS]
    assert names.index("gangs") == names.index("complaints") + 1
    store.load(*agent_gang(1, 3))
    findings = dict((name, run) for name, _, run in DETECTORS)["gangs"](engine, settings.org)
    assert findings["gangs"] == 1 and findings["customers in gangs"] == 3
