"""One institution cannot read another's records, even by guessing their ids."""

from __future__ import annotations

import pytest

from api_seed import ORGS
from qinglang.services import monitor


def test_the_queue_lists_only_the_callers_institution(client, as_role):
    for org, prefix in zip(ORGS, "AB"):
        page = client.get("/api/v1/complaints", headers=as_role("viewer", org)).json()
        assert page["total"] == 3
        assert {item["complaint_id"][0] for item in page["items"]} == {prefix}


def test_another_institutions_id_is_not_found_like_a_made_up_one(client, as_role):
    headers = as_role("analyst")
    own = client.get("/api/v1/complaints/AT1", headers=headers)
    theirs = client.get("/api/v1/complaints/BT1", headers=headers)
    made_up = client.get("/api/v1/complaints/ZZ999", headers=headers)
    assert own.status_code == 200
    assert theirs.status_code == made_up.status_code == 404
    assert theirs.json() == made_up.json()
    assert client.post("/api/v1/complaints/BT1/reveal", headers=headers).status_code == 404


def test_the_service_layer_scopes_by_institution(store):
    assert monitor.complaint_detail(store, ORGS[1], "BT1")["complaint"]["complaint_id"] == "BT1"
    with pytest.raises(monitor.NotFound):
        monitor.complaint_detail(store, ORGS[0], "BT1")


def test_the_overview_counts_only_the_callers_institution(client, as_role, settings, store):
    from qinglang.services.accounts import add_account
    add_account(store, "bank-c", "viewer", "correct horse battery", "viewer")
    empty = client.get("/api/v1/overview", headers=as_role("viewer", "bank-c")).json()
    full = client.get("/api/v1/overview", headers=as_role("viewer")).json()
    assert empty["complaints"]["assessed"] == 0 and empty["store"]["records"]["complaints"] == 0
    assert full["complaints"]["assessed"] == 3
    assert full["complaints"]["outcomes"] == {"genuine": 1, "review": 0, "agent_driven": 1,
                                              "malicious": 1}


def test_exports_hold_only_the_callers_institution(client, as_role):
    text = client.get("/api/v1/exports/assessments", headers=as_role("viewer")).text
    assert "AT1" in text and "BT1" not in text
    records = client.get("/api/v1/exports/records/complaints",
                         headers=as_role("viewer", ORGS[1])).text
    assert "BT2" in records and "AT2" not in records


def test_the_institution_comes_from_the_token_not_the_request(client, as_role):
    response = client.get("/api/v1/complaints", params={"org": ORGS[1]},
                          headers=as_role("viewer"))
    assert {i["complaint_id"][0] for i in response.json()["items"]} == {"A"}
