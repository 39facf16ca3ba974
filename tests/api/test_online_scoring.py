"""Scoring one new complaint over HTTP: the online service's verdict, masked, per institution."""

from __future__ import annotations

from dataclasses import replace

from api_seed import ORGS, SHARED_PHONE
from factories import complaint
from qinglang.services.accounts import add_account
from qinglang.services.online import score_complaint

NEW = complaint(99, complaint_id="NEW1", customer_id="AC0", contact_phone=SHARED_PHONE,
                text="我委托代理人投诉，要求停息挂账、减免利息，联系电话13912345678。")


def test_scoring_returns_the_services_verdict_with_evidence_masked(client, as_role, store,
                                                                   settings):
    response = client.post("/api/v1/complaints/score", json=NEW, headers=as_role("analyst"))
    assert response.status_code == 200
    body = response.json()
    direct = score_complaint(store, replace(settings, org=ORGS[0]), NEW)
    assert body["assessment"]["risk_score"] == direct.verdict.risk_score
    assert body["assessment"]["outcome"] == direct.verdict.outcome
    assert [h["rule_id"] for h in body["hits"]] == [h.rule_id for h in direct.hits]
    assert body["neighbourhood"] == direct.neighbourhood >= 3
    assert "+86" + SHARED_PHONE not in response.text


def test_scoring_sees_only_the_callers_institution(client, as_role, store):
    add_account(store, "bank-c", "analyst", "correct horse battery", "analyst")
    own = client.post("/api/v1/complaints/score", json=NEW, headers=as_role("analyst")).json()
    elsewhere = client.post("/api/v1/complaints/score", json=NEW,
                            headers=as_role("analyst", "bank-c")).json()
    assert elsewhere["neighbourhood"] <= 1 < own["neighbourhood"]


def test_a_bad_field_is_refused_by_name_without_its_value(client, as_role):
    bad = dict(NEW, received_at="13912345678x")
    response = client.post("/api/v1/complaints/score", json=bad, headers=as_role("analyst"))
    assert response.status_code == 400
    assert "received_at" in response.json()["error"]["message"]
    assert "13912345678" not in response.text


def test_viewers_cannot_score(client, as_role):
    response = client.post("/api/v1/complaints/score", json=NEW, headers=as_role("viewer"))
    assert response.status_code == 403
