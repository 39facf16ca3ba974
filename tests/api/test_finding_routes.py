"""Findings through the API: writers add and withdraw, readers list; the tenant comes from the
token; notes come back masked; a rescore returns the complaint's new verdict."""

from __future__ import annotations

from api_seed import ORGS
from qinglang.services import audit

A, B = ORGS
NOTE = "来电人说不出身份证号，留了号码13812345678"


def add(client, headers, complaint_id="AT0", rule_id="1.1", **extra):
    return client.post("/api/v1/findings", headers=headers,
                       json={"complaint_id": complaint_id, "rule_id": rule_id, "note": NOTE,
                             **extra})


def test_add_rescore_list_and_withdraw(client, as_role, store):
    analyst = as_role("analyst")
    made = add(client, analyst, rescore=True)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["finding"]["note"] == "来电人说不出身份证号，留了号码138****5678"
    rescored = body["assessment"]
    assert "1.1" in rescored["rules"]
    finding_id = body["finding"]["finding_id"]
    listed = client.get("/api/v1/findings", params={"complaint_id": "AT0"},
                        headers=as_role("viewer")).json()
    assert listed["total"] == 1 and listed["items"][0]["added_by"] == "analyst"
    detail = client.get("/api/v1/complaints/AT0", headers=analyst).json()
    assert detail["assessment"]["rules"] == rescored["rules"]
    assert detail["assessment"]["risk_score"] == rescored["risk_score"]
    [noted] = [h["evidence"] for h in detail["hits"] if h["rule_id"] == "1.1"]
    assert noted["findings"][0]["note"].endswith("138****5678")  # masked until revealed
    withdrawn = client.post(f"/api/v1/findings/{finding_id}/withdraw", headers=analyst,
                            json={"reason": "误录", "rescore": True}).json()
    assert withdrawn["finding"]["withdrawn"] and "1.1" not in withdrawn["assessment"]["rules"]
    assert withdrawn["assessment"]["risk_score"] == rescored["risk_score"] - 25
    assert {e.action for e in audit.entries(store, A)} >= {"finding.add", "finding.withdraw",
                                                          "complaint.rescore"}


def test_roles_tenants_and_refusals(client, as_role):
    assert add(client, as_role("viewer")).status_code == 403
    assert add(client, as_role("analyst"), rule_id="2.5").json()["error"]["code"] == \
        "invalid_input"
    assert add(client, as_role("analyst", B)).status_code == 404  # AT0 is bank-a's
    made = add(client, as_role("analyst")).json()["finding"]
    assert client.get("/api/v1/findings", headers=as_role("viewer", B)).json()["total"] == 0
    stolen = client.post(f"/api/v1/findings/{made['finding_id']}/withdraw",
                         headers=as_role("analyst", B), json={"reason": "x"})
    assert stolen.status_code == 404


def test_notes_in_full_need_the_reveal_permission(client, as_role, store):
    add(client, as_role("analyst"))
    assert client.post("/api/v1/findings/reveal", headers=as_role("viewer")).status_code == 403
    revealed = client.post("/api/v1/findings/reveal", params={"complaint_id": "AT0"},
                           headers=as_role("analyst")).json()
    assert revealed["items"][0]["note"] == NOTE
    assert [e.target for e in audit.entries(store, A, action="reveal")] == ["complaint:AT0"]
