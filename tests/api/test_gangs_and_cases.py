"""Gangs, the graph and cases through the API, scoped to the caller's institution."""

from __future__ import annotations

import io
import zipfile

import pytest

from qinglang.ingest.sources import kind_from_name
from qinglang.model.schema import KIND_NAMES
from qinglang.sample import generate
from qinglang.services.accounts import add_account, issue_token
from qinglang.services.gangs import list_gangs, refresh_gangs
from qinglang.services.importing import import_file
from qinglang.api import create_app
from fastapi.testclient import TestClient

OWNER, OTHER = "bank-a", "bank-b"


@pytest.fixture
def client(engine, settings, tmp_path):
    """bank-a holds a small sample institution with its gangs; bank-b holds nothing."""
    exports = tmp_path / "exports"
    generate(exports, customers=300, seed=11)
    order = {kind: i for i, kind in enumerate(KIND_NAMES)}
    owner = settings.__class__(**{**settings.__dict__, "org": OWNER})
    for path in sorted((p for p in exports.iterdir() if kind_from_name(p)),
                       key=lambda p: order[kind_from_name(p).kind]):
        import_file(engine, owner, path)
    refresh_gangs(engine, OWNER)
    for org in (OWNER, OTHER):
        add_account(engine, org, "analyst", "correct horse battery", "analyst")
    with TestClient(create_app(settings, engine)) as test_client:
        yield test_client


def _as(engine, org):
    return {"Authorization": f"Bearer {issue_token(engine, org, 'analyst', 't').secret}"}


def test_gangs_and_their_graph_are_the_owners_alone(client, engine):
    gang_id = list_gangs(engine, OWNER, 1)[0]["gang_id"]
    mine, theirs = _as(engine, OWNER), _as(engine, OTHER)
    listed = client.get("/api/v1/gangs", headers=mine).json()
    assert listed["total"] >= 1 and listed["items"][0]["gang_id"] == gang_id
    assert client.get("/api/v1/gangs", headers=theirs).json()["total"] == 0
    assert client.get(f"/api/v1/gangs/{gang_id}", headers=theirs).status_code == 404
    assert client.get(f"/api/v1/gangs/{gang_id}/graph", headers=theirs).status_code == 404

    graph = client.get(f"/api/v1/gangs/{gang_id}/graph", headers=mine).json()
    refs = {n["ref"] for n in graph["nodes"]}
    assert graph["links"] and all(l["source"] in refs and l["target"] in refs
                                  for l in graph["links"])
    phone = next(n for n in graph["nodes"] if n["type"] == "phone")
    assert "***" in phone["label"]  # masked: a mobile shows ****, a landline *** in its middle
    near = client.get(f"/api/v1/graph/nodes/{phone['ref']}/neighbours", headers=mine).json()
    assert phone["ref"] in {n["ref"] for n in near["nodes"]} and len(near["nodes"]) > 1
    stolen = client.get(f"/api/v1/graph/nodes/{phone['ref']}/neighbours", headers=theirs)
    forged = client.get(f"/api/v1/graph/nodes/{phone['ref'][:-2]}xx/neighbours", headers=mine)
    assert stolen.status_code == forged.status_code == 404


def test_who_and_agent_profiles_are_masked(client, engine):
    gang_id = list_gangs(engine, OWNER, 1)[0]["gang_id"]
    headers = _as(engine, OWNER)
    agents = client.get("/api/v1/agents", params={"gang_id": gang_id}, headers=headers)
    assert agents.status_code == 200
    customer = client.get(f"/api/v1/gangs/{gang_id}", headers=headers).json()[
        "members"]["customer"][0]["key"]
    near = client.get("/api/v1/who", params={"identifier": f"customer:{customer}", "hops": 1},
                      headers=headers).json()
    phones = [n["id"] for n in near["nodes"] if n["type"] == "phone"]
    assert phones and all("***" in p for p in phones)  # mobiles ****, 400 numbers and landlines ***


def test_a_case_opens_exports_and_stays_in_its_institution(client, engine):
    gang_id = list_gangs(engine, OWNER, 1)[0]["gang_id"]
    mine, theirs = _as(engine, OWNER), _as(engine, OTHER)
    opened = client.post("/api/v1/cases", headers=mine,
                         json={"source": "gang", "ids": [gang_id], "title": "测试案件"})
    assert opened.status_code == 201
    case = opened.json()
    case_id = case["case"]["case_id"]
    assert case["evidence"] and case["audit"][0]["action"] == "case.open"
    assert client.get(f"/api/v1/cases/{case_id}", headers=theirs).status_code == 404
    assert client.get("/api/v1/cases", headers=theirs).json()["total"] == 0
    assert client.post(f"/api/v1/cases/{case_id}/package", headers=theirs).status_code == 404

    moved = client.post(f"/api/v1/cases/{case_id}/status", headers=mine,
                        json={"status": "investigating"}).json()
    assert moved["case"]["status"] == "investigating"
    refused = client.post(f"/api/v1/cases/{case_id}/status", headers=mine,
                          json={"status": "new"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_transition"

    package = client.post(f"/api/v1/cases/{case_id}/package", headers=mine)
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        assert "manifest.json" in archive.namelist()
    actions = [e["action"] for e in client.get(f"/api/v1/cases/{case_id}",
                                               headers=mine).json()["audit"]]
    assert actions == ["case.open", "case.status", "case.export.package"]
