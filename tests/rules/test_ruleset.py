"""Rule sets are strict data; scoring follows their weights, subsumption and thresholds."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from qinglang.detect.base import Hit
from qinglang.rules.schema import RuleSet, default_ruleset, load_ruleset
from qinglang.rules.scoring import judge

RULES = default_ruleset()


def edited(**changes) -> dict:
    data = RULES.model_dump(mode="json")
    data.update(changes)
    return data


def test_the_default_rule_set_covers_every_rule_id_of_domain_md():
    ids = {r.id for r in RULES.rules}
    assert ids == {"1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6",
                   "2.7", "2.8", "3.1", "3.2", "3.3", "3.4", "4.1", "4.3", "4.4", "4.5", "4.6",
                   "4.7", "4.8", "4.9", "5.1", "5.4", "5.7"}
    assert {r.id for r in RULES.rules if r.mode == "manual"} >= {"1.1", "1.3", "3.3", "4.3",
                                                                 "5.7"}


def test_a_misspelled_key_or_an_unknown_rule_id_fails_loudly():
    data = edited()
    data["rules"][0]["wieght"] = 3
    with pytest.raises(ValidationError, match="wieght"):
        RuleSet.model_validate(data)
    with pytest.raises(ValidationError, match="unknown rule ids"):
        RuleSet.model_validate(edited(malicious_requires=["9.9"]))
    with pytest.raises(ValidationError, match="thresholds must rise"):
        RuleSet.model_validate(edited(thresholds={"review": 60, "agent_driven": 50,
                                                  "malicious": 80}))


def test_a_rule_set_file_is_loaded_from_disk(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(edited(version="bank-7"), allow_unicode=True), "utf-8")
    assert load_ruleset(path).version == "bank-7"


def test_weights_add_up_and_a_subsumed_rule_counts_once():
    one_number = [Hit("T1", "2.4"), Hit("T1", "2.5", {"number": "+8613912345678",
                                                        "customers": 4})]
    verdict = judge(one_number, RULES)
    assert verdict.risk_score == RULES.rule("2.5").weight
    assert verdict.rules == "2.4;2.5"
    assert verdict.explanation == "同一号码代多名客户投诉（+86 139****5678 涉及 4 名客户），共命中 2 条规则"


def test_outcomes_follow_the_thresholds_and_malicious_needs_its_evidence():
    strong = [Hit("T1", r) for r in ("1.5", "2.5", "2.6")]
    assert judge(strong, RULES).outcome == "agent_driven"
    assert judge(strong + [Hit("T1", "4.7")], RULES).outcome == "malicious"
    assert judge([Hit("T1", "2.1")], RULES).outcome == "genuine"
    assert judge([], RULES).outcome == "genuine"


def test_an_institution_changes_a_threshold_by_data():
    hits = [Hit("T1", "2.5"), Hit("T1", "2.1")]
    assert judge(hits, RULES).outcome == "review"
    stricter = RuleSet.model_validate(edited(thresholds={"review": 20, "agent_driven": 40,
                                                         "malicious": 80}))
    assert judge(hits, stricter).outcome == "agent_driven"
