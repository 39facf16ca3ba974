"""Manual findings: recorded append-only and audited, counted as hits of their rule with the
note as evidence — the same in `analyze`, online scoring and `finding add --rescore` — and
refused with a clear message for unknown rules, auto rules and unknown complaints."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from factories import (COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, TEST_KEY, complaint, customer,
                       write_csv)
from qinglang.errors import InputError
from qinglang.rules.schema import default_ruleset
from qinglang.services import audit
from qinglang.services.assess import assess_all
from qinglang.services.findings import (FindingNotFound, add_finding, list_findings, rescore,
                                        withdraw_finding)
from qinglang.services.importing import import_file
from qinglang.services.monitor import NotFound
from qinglang.services.online import score_stored
from qinglang.store.tables import assessments, rule_hits
from qinglang.store.tables_findings import finding_withdrawals, findings

RULES = default_ruleset()


@pytest.fixture
def store(engine, settings, tmp_path):
    """Two customers, each complaining once from their own reserved number: genuine."""
    people = [customer(i) for i in (1, 2)]
    own = [complaint(i, contact_phone=p["reserved_phone"], demands="", claimed_role="self",
                     text="我的账单金额和合同不一致，请核对。")
           for i, p in zip((1, 2), people)]
    import_file(engine, settings, write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS,
                                            people))
    import_file(engine, settings, write_csv(tmp_path / "complaints.csv", COMPLAINT_COLUMNS,
                                            own))
    return engine, settings.org


def stored(engine, org, complaint_id):
    with engine.connect() as conn:
        verdict = conn.execute(select(assessments).where(
            assessments.c.org == org, assessments.c.complaint_id == complaint_id)).first()
        hits = {h.rule_id: h.evidence for h in conn.execute(select(rule_hits).where(
            rule_hits.c.org == org, rule_hits.c.complaint_id == complaint_id))}
    return verdict, hits


def test_a_finding_is_a_hit_of_its_rule_in_batch_and_online(store):
    engine, org = store
    assess_all(engine, org, RULES)
    assert stored(engine, org, "T00001")[0].outcome == "genuine"
    first = add_finding(engine, org, "wang", "T00001", "3.3", "两次约见面均拒绝，只肯电话沟通")
    second = add_finding(engine, org, "li", "T00001", "4.3", "小额打款户名与客户不符")
    assess_all(engine, org, RULES)
    verdict, hits = stored(engine, org, "T00001")
    assert verdict.rules == "3.3;4.3" and verdict.risk_score == 15 + 35
    assert verdict.outcome == "agent_driven"
    assert "小额打款验证非客户本人" in verdict.explanation
    assert hits["3.3"]["findings"][0]["note"] == "两次约见面均拒绝，只肯电话沟通"
    assert [f["finding_id"] for f in hits["4.3"]["findings"]] == [second]
    assert hits["3.3"]["findings"][0]["finding_id"] == first
    assert stored(engine, org, "T00002")[0].outcome == "genuine"
    online = score_stored(engine, org, "T00001", RULES)
    assert (online.verdict.risk_score, online.verdict.outcome, online.verdict.rules,
            online.verdict.explanation) == (verdict.risk_score, verdict.outcome, verdict.rules,
                                            verdict.explanation)
    assert {h.rule_id: h.evidence for h in online.hits} == hits


def test_rescore_stores_the_verdict_analyze_would_give(store):
    engine, org = store
    assess_all(engine, org, RULES)
    add_finding(engine, org, "wang", "T00002", "1.1", "说不出客户的身份证后四位")
    result = rescore(engine, org, "wang", "T00002")
    assert result.verdict.rules == "1.1" and result.verdict.outcome == "review"
    rescored = stored(engine, org, "T00002")
    assess_all(engine, org, RULES)
    analyzed = stored(engine, org, "T00002")
    assert (rescored[0].risk_score, rescored[0].outcome, rescored[0].rules, rescored[1]) == (
        analyzed[0].risk_score, analyzed[0].outcome, analyzed[0].rules, analyzed[1])
    assert stored(engine, org, "T00001")[0].outcome == "genuine"


def test_withdrawal_is_a_new_row_and_the_finding_stops_counting(store):
    engine, org = store
    finding_id = add_finding(engine, org, "wang", "T00001", "5.7", "材料日期前后矛盾")
    complaint_id = withdraw_finding(engine, org, "zhao", finding_id, "核实后材料无误")
    assert complaint_id == "T00001"
    assess_all(engine, org, RULES)
    verdict, hits = stored(engine, org, "T00001")
    assert verdict.outcome == "genuine" and hits == {}
    [shown] = list_findings(engine, org, "T00001")
    assert shown["withdrawn"] and shown["withdrawn_by"] == "zhao"
    assert shown["note"] == "材料日期前后矛盾" and shown["withdrawal_reason"] == "核实后材料无误"
    with pytest.raises(InputError, match="already withdrawn"):
        withdraw_finding(engine, org, "zhao", finding_id, "again")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(findings)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(finding_withdrawals)).scalar() == 1
    actions = [(e.action, e.actor, e.target) for e in audit.entries(engine, org)]
    assert ("finding.add", "wang", "complaint:T00001") in actions
    assert ("finding.withdraw", "zhao", "complaint:T00001") in actions


def test_findings_are_kept_per_institution(store):
    engine, org = store
    add_finding(engine, org, "wang", "T00001", "3.3", "拒绝视频")
    assert list_findings(engine, "other-bank") == []
    with pytest.raises(NotFound):
        add_finding(engine, "other-bank", "wang", "T00001", "3.3", "拒绝视频")
    with pytest.raises(FindingNotFound):
        withdraw_finding(engine, "other-bank", "wang", 1, "not theirs")


@pytest.mark.parametrize("rule_id, message", [("9.9", "unknown rule '9.9'"),
                                              ("2.5", "rule 2.5 is decided from the records")])
def test_rules_that_take_no_findings_are_refused(store, rule_id, message):
    engine, org = store
    with pytest.raises(InputError) as error:
        add_finding(engine, org, "wang", "T00001", rule_id, "note")
    assert message in error.value.message and "1.1, 1.3, 1.4" in error.value.message


def test_unknown_complaint_and_empty_note_are_refused(store):
    engine, org = store
    with pytest.raises(NotFound, match="no complaint NOPE"):
        add_finding(engine, org, "wang", "NOPE", "3.3", "拒绝见面")
    with pytest.raises(InputError, match="needs a note"):
        add_finding(engine, org, "wang", "T00001", "3.3", "   ")
    with pytest.raises(FindingNotFound):
        withdraw_finding(engine, org, "wang", 12345, "no such finding")
    assert list_findings(engine, org) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_add_rescore_list_withdraw(store, settings, monkeypatch):
    from qinglang.cli import app

    monkeypatch.setenv("QINGLANG_HOME", str(settings.home))
    monkeypatch.setenv("QINGLANG_DB_URL", settings.db_url)
    monkeypatch.setenv("QINGLANG_SECRET_KEY", TEST_KEY)
    monkeypatch.setenv("QINGLANG_ORG", settings.org)
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()
    added = runner.invoke(app, ["finding", "add", "T00001", "--rule", "4.3", "--note",
                                "打款户名不符，来电人留号13812345678", "--by", "wang",
                                "--rescore"])
    assert added.exit_code == 0, added.output
    assert "finding 1" in added.output and "review" in added.output
    assert stored(*store, "T00001")[0].rules == "4.3"
    listed = runner.invoke(app, ["finding", "list", "--complaint", "T00001"])
    assert listed.exit_code == 0, listed.output
    assert "138****5678" in listed.output and "13812345678" not in listed.output
    withdrawn = runner.invoke(app, ["finding", "withdraw", "1", "--reason", "误录",
                                    "--rescore"])
    assert withdrawn.exit_code == 0, withdrawn.output
    assert stored(*store, "T00001")[0].outcome == "genuine"
    refused = runner.invoke(app, ["finding", "add", "T00001", "--rule", "2.1", "--note", "x"])
    assert refused.exit_code == 2 and "decided from the records" in refused.output


def test_notes_are_masked_unless_revealed_and_a_reveal_is_audited(store):
    engine, org = store
    add_finding(engine, org, "wang", "T00001", "1.1", "来电人留号13812345678，说不出身份证号")
    [masked] = list_findings(engine, org)
    assert masked["note"] == "来电人留号138****5678，说不出身份证号"
    assert not [e for e in audit.entries(engine, org) if e.action == "reveal"]
    [full] = list_findings(engine, org, "T00001", unmasked=True, actor="li")
    assert full["note"] == "来电人留号13812345678，说不出身份证号"
    [reveal] = [e for e in audit.entries(engine, org) if e.action == "reveal"]
    assert (reveal.actor, reveal.target) == ("li", "complaint:T00001")
