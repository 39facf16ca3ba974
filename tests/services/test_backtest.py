"""`rules diff` reports exactly the outcome changes that assessing the store with each rule
set in turn produces, attributes them to the rule that was changed, and writes nothing."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml
from sqlalchemy import func, select

from factories import import_institution
from qinglang.errors import InputError
from qinglang.rules.schema import RuleSet, default_ruleset, load_ruleset
from qinglang.sample import generate
from qinglang.services.assess import assess_all
from qinglang.services.backtest import SCORING, diff_rulesets
from qinglang.store.tables import assessments

OLD = default_ruleset()


def variant(version: str, change) -> RuleSet:
    data = OLD.model_dump()
    data["version"] = version
    change(data)
    return RuleSet.model_validate(data)


def heavier_4_7(data):
    next(r for r in data["rules"] if r["id"] == "4.7")["weight"] = 60


def lower_agent_threshold(data):
    data["thresholds"]["agent_driven"] = 40


@pytest.fixture(scope="module")
def institution(tmp_path_factory):
    out = tmp_path_factory.mktemp("inst")
    generate(out, customers=600, seed=3)
    return out


@pytest.fixture
def store(institution, settings, engine):
    return import_institution(engine, settings, institution).org


def outcomes(engine, org, ruleset) -> dict[str, str]:
    assess_all(engine, org, ruleset)
    with engine.connect() as conn:
        rows = conn.execute(select(assessments.c.complaint_id, assessments.c.outcome))
        return {complaint_id: outcome for complaint_id, outcome in rows}


@pytest.mark.parametrize("change", [heavier_4_7, lower_agent_threshold])
def test_diff_equals_assessing_with_each_version(store, engine, change):
    new = variant("test-2", change)
    before, after = outcomes(engine, store, OLD), outcomes(engine, store, new)
    expected = Counter((before[c], after[c]) for c in before)
    result = diff_rulesets(engine, store, OLD, new)
    assert result.transitions == expected
    assert result.changed == sum(before[c] != after[c] for c in before) > 0
    cause = "4.7" if change is heavier_4_7 else SCORING
    assert set(result.causes) == {cause}
    assert all(before[c] != after[c] for c in result.examples[cause])


def test_diff_writes_nothing(store, engine):
    assess_all(engine, store, OLD)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(assessments)).scalar()
    diff_rulesets(engine, store, OLD, variant("test-3", heavier_4_7))
    with engine.connect() as conn:
        assert conn.execute(select(assessments.c.ruleset_version).distinct()).scalars().all() \
            == [OLD.version]
        assert conn.execute(select(func.count()).select_from(assessments)).scalar() == stored


def test_a_broken_rule_set_file_is_named_with_the_field(tmp_path):
    data = OLD.model_dump()
    data["thresholds"]["agent_driven"] = "high"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(InputError) as error:
        load_ruleset(path)
    assert "broken.yaml" in error.value.message and "agent_driven" in error.value.message
