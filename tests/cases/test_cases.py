"""Cases from each source: the evidence they gather, its provenance and hash, the event log,
enforced status moves, and the audit log entry of every action."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from conftest import AGENT_E164
from qinglang.cases.canonical import content_sha256
from qinglang.errors import InputError
from qinglang.ingest.attachments import file_sha256
from qinglang.model.case import InvalidTransition
from qinglang.services import audit
from qinglang.services import cases as service
from qinglang.services.exporting import export_records
from qinglang.store.tables_cases import audit_log


def vault(settings):
    return settings.home / "evidence"


def open_from(engine, settings, source, ids, title="测试案件"):
    case_id = service.open_case(engine, settings.org, "investigator-1", source, ids, title,
                                vault(settings))
    return service.case_view(engine, settings.org, case_id)


def kinds(view):
    found: dict[str, list[str]] = {}
    for item in view.evidence:
        found.setdefault(item["kind"], []).append(item["source_id"])
    return found


def test_a_case_from_complaints_holds_them_with_customers_calls_attachments_and_hits(
        institution, settings, engine):
    view = open_from(engine, settings, "complaints", ["T00001", "T00002"])
    found = kinds(view)
    assert found["complaint"] == ["T00001", "T00002"]
    assert found["customer"] == ["C00001", "C00002"]
    assert found["call"] == ["CL1", "CL2"]
    assert found["attachment"] == ["T00001/proof.jpg"]
    assert found["rule_hit"] == ["T00001/2.5", "T00002/2.5"]
    assert [i["seq"] for i in view.evidence] == list(range(1, len(view.evidence) + 1))


def test_evidence_keeps_its_source_file_import_time_original_values_and_hash(
        institution, settings, engine):
    view = open_from(engine, settings, "complaints", ["T00003"])
    item = next(i for i in view.evidence if i["kind"] == "complaint")
    assert item["source_kind"] == "complaints" and item["source_file"] == "complaints.csv"
    assert item["source_row"] == 4 and item["imported_at"] is not None
    assert item["original"]["contact_phone"] == "17149531269"  # as the institution wrote it
    assert item["content"]["contact_phone"] == AGENT_E164       # as cleaned
    assert item["sha256"] == content_sha256(item["content"])
    attachment = next(i for i in open_from(engine, settings, "complaints", ["T00001"]).evidence
                      if i["kind"] == "attachment")
    assert attachment["sha256"] == file_sha256(institution / "proof.jpg")
    assert attachment["source_file"] == "complaints.csv" and attachment["imported_at"]
    kept = vault(settings) / attachment["sha256"][:2] / attachment["sha256"]
    assert kept.read_bytes() == (institution / "proof.jpg").read_bytes()


def test_a_case_from_customers_takes_every_complaint_about_them(institution, settings, engine):
    found = kinds(open_from(engine, settings, "customers", ["C00005", "C00006"]))
    assert found["complaint"] == ["T00005", "T00006"] and "rule_hit" not in found


def test_a_case_from_a_gang_starts_with_the_gang_as_found(institution, settings, engine):
    view = open_from(engine, settings, "gang", ["G1"])
    assert view.case["gang_id"] == "G1"
    first = view.evidence[0]
    assert first["kind"] == "gang" and first["content"]["gang"]["score"] == 88
    assert {m["member_key"] for m in first["content"]["members"]} >= {"tingxi88", AGENT_E164}
    assert kinds(view)["customer"] == ["C00001", "C00002", "C00003", "C00004"]


def test_a_case_from_an_agent_takes_the_customers_it_acts_for(institution, settings, engine):
    view = open_from(engine, settings, "agent", [f"phone:{AGENT_E164}"])
    assert view.case["source"] == "agent"
    assert kinds(view)["customer"] == ["C00001", "C00002", "C00003", "C00004"]
    with pytest.raises(InputError, match="no customer is linked"):
        open_from(engine, settings, "agent", ["phone:+8613000000000"])


def test_a_case_from_posts_snapshots_their_text(institution, settings, engine):
    view = open_from(engine, settings, "posts", ["P1", "P2"])
    assert [i["content"]["text"][:4] for i in view.evidence] == ["专业停息", "负债上岸"]


def test_unknown_ids_and_an_unknown_gang_are_refused(institution, settings, engine):
    with pytest.raises(InputError, match="1 complaints not in the store: NOPE"):
        open_from(engine, settings, "complaints", ["T00001", "NOPE"])
    with pytest.raises(InputError, match="no gang 'G404'"):
        open_from(engine, settings, "gang", ["G404"])
    assert service.list_cases(engine, settings.org) == []  # nothing half-opened


def test_status_moves_are_enforced_and_every_action_is_logged(institution, settings, engine):
    case_id = open_from(engine, settings, "complaints", ["T00001"]).case["case_id"]
    org = settings.org
    service.assign(engine, org, "lead", case_id, "investigator-2")
    with pytest.raises(InvalidTransition):
        service.change_status(engine, org, "lead", case_id, "referred")
    service.change_status(engine, org, "investigator-2", case_id, "investigating")
    service.comment(engine, org, "investigator-2", case_id, "同一号码代 4 名客户投诉")
    added = service.add_evidence(engine, org, "investigator-2", case_id, vault(settings),
                                 record=("calls", "CL3"))
    assert [i.source_id for i in added] == ["CL3"]
    assert service.add_evidence(engine, org, "investigator-2", case_id, vault(settings),
                                record=("calls", "CL3")) == []  # already there
    service.change_status(engine, org, "lead", case_id, "referred", "已向公安报案")
    view = service.case_view(engine, org, case_id)
    assert [e["kind"] for e in view.events] == [
        "opened", "assigned", "status_changed", "comment", "evidence_added", "evidence_added",
        "status_changed", "referred"]
    assert view.case["status"] == "referred" and view.case["assignee"] == "investigator-2"
    assert view.events[-2]["detail"] == {"from": "investigating", "to": "referred",
                                         "reason": "已向公安报案"}
    actions = [(e.actor, e.action) for e in reversed(audit.entries(engine, org, limit=100))]
    assert actions[-7:] == [
        ("investigator-1", "case.open"), ("lead", "case.assign"),
        ("investigator-2", "case.status"), ("investigator-2", "case.comment"),
        ("investigator-2", "case.add_evidence"), ("investigator-2", "case.add_evidence"),
        ("lead", "case.status")]


def test_imports_and_reading_unmasked_personal_data_are_audited(
        institution, tmp_path, settings, engine):
    export_records(engine, settings.org, "customers", tmp_path / "c.csv", unmasked=True,
                   actor="auditor-7")
    entries = audit.entries(engine, settings.org, limit=100)
    assert (entries[0].actor, entries[0].action, entries[0].target) == (
        "auditor-7", "export.records", "customers")
    assert entries[0].detail == {"unmasked": True, "file": "c.csv"}
    imports = [e for e in entries if e.action == "import"]
    assert sorted(e.target for e in imports) == ["calls.csv", "complaints.csv",
                                                 "customers.csv", "posts.jsonl"]
    assert imports[0].actor == settings.user


def test_the_event_log_and_audit_log_only_grow(institution, settings, engine):
    case_id = open_from(engine, settings, "complaints", ["T00005"]).case["case_id"]
    before = service.case_view(engine, settings.org, case_id).events
    service.comment(engine, settings.org, "x", case_id, "补充说明")
    after = service.case_view(engine, settings.org, case_id).events
    assert after[:len(before)] == before
    with engine.connect() as conn:
        seqs = [r.seq for r in conn.execute(select(audit_log.c.seq).order_by(audit_log.c.seq))]
    assert seqs == list(range(1, len(seqs) + 1))
    for statement in (f"UPDATE case_events SET actor = 'x' WHERE case_id = {case_id}",
                      f"DELETE FROM evidence_items WHERE case_id = {case_id}"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
