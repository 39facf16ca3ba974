"""Personal data is masked by default; revealing it needs a role and is audited."""

from __future__ import annotations

from api_seed import ORGS, SHARED_PHONE
from qinglang.services import audit


def test_a_complaint_comes_masked(client, as_role):
    response = client.get("/api/v1/complaints/AT1", headers=as_role("viewer"))
    body = response.json()
    assert SHARED_PHONE not in response.text
    assert body["revealed"] is False
    assert body["complaint"]["contact_phone"].endswith("5678") and "****" in \
        body["complaint"]["contact_phone"]
    assert "139****5678" in body["complaint"]["text"]
    evidence = {hit["rule_id"]: hit["evidence"] for hit in body["hits"]}
    assert list(evidence["2.4"]["numbers"]) == ["+86 139****5678"]
    assert evidence["4.9"] == {"tags": {"demand_lower_interest": "停息"}}


def test_the_queue_masks_phones(client, as_role):
    response = client.get("/api/v1/complaints", headers=as_role("viewer"))
    assert SHARED_PHONE not in response.text
    assert response.json()["items"][0]["risk_score"] == 90


def test_revealing_shows_the_data_and_is_audited(client, as_role, store):
    before = audit.count(store, ORGS[0])
    response = client.post("/api/v1/complaints/AT1/reveal", headers=as_role("analyst"))
    assert response.status_code == 200
    body = response.json()
    assert body["revealed"] is True and SHARED_PHONE in body["complaint"]["text"]
    assert body["complaint"]["contact_phone"] == "+86" + SHARED_PHONE
    entries = audit.entries(store, ORGS[0], action="reveal")
    assert audit.count(store, ORGS[0]) == before + 1
    assert (entries[0].actor, entries[0].target) == ("analyst", "complaint:AT1")
    assert SHARED_PHONE not in str(entries[0].detail)
    assert audit.verify(store).ok


def test_a_refused_reveal_leaves_no_data_and_no_audit_entry(client, as_role, store):
    before = audit.count(store, ORGS[0])
    response = client.post("/api/v1/complaints/AT1/reveal", headers=as_role("viewer"))
    assert response.status_code == 403 and SHARED_PHONE not in response.text
    assert audit.count(store, ORGS[0]) == before


def test_unmasked_exports_need_the_reveal_permission_and_are_audited(client, as_role, store):
    path = "/api/v1/exports/records/complaints/unmasked"
    assert client.post(path, headers=as_role("viewer")).status_code == 403
    masked = client.get("/api/v1/exports/records/complaints", headers=as_role("viewer")).text
    full = client.post(path, headers=as_role("admin")).text
    assert "+86" + SHARED_PHONE not in masked and "+86 139****5678" in masked
    assert "+86" + SHARED_PHONE in full
    assert [e.target for e in audit.entries(store, ORGS[0], action="reveal")] == \
        ["export:complaints"]
