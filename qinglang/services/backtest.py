"""`qinglang rules diff OLD NEW`: two rule-set versions evaluated on the stored data.

Nothing is written: both versions are evaluated in one read-only connection and compared
complaint by complaint. A changed outcome is attributed to the rules that explain it: a
rule that fires under one version only, or fires under both with a different weight; when
neither applies the change comes from the scoring (thresholds, subsumption, what makes a
complaint malicious).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from qinglang.detect.base import Hit, complaints
from qinglang.rules.schema import RuleSet
from qinglang.rules.scoring import judge
from qinglang.services.assess import collect_hits

SCORING = "scoring"  # thresholds, subsumption or what makes a complaint malicious


@dataclass
class RuleSetDiff:
    old_version: str
    new_version: str
    complaints: int
    transitions: Counter = field(default_factory=Counter)  # (old outcome, new outcome) → n
    causes: Counter = field(default_factory=Counter)  # rule id or SCORING → changed n
    fired_old: Counter = field(default_factory=Counter)  # rule id → complaints hit
    fired_new: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)  # cause → complaint ids

    @property
    def changed(self) -> int:
        return sum(n for (old, new), n in self.transitions.items() if old != new)


def diff_rulesets(engine: Engine, org: str, old: RuleSet, new: RuleSet,
                  examples: int = 5) -> RuleSetDiff:
    with engine.connect() as conn:
        old_hits = collect_hits(conn, org, old)
        new_hits = collect_hits(conn, org, new)
        ids = [r[0] for r in conn.execute(select(complaints.c.complaint_id)
                                          .where(complaints.c.org == org)
                                          .order_by(complaints.c.complaint_id))]
        conn.rollback()
    result = RuleSetDiff(old.version, new.version, len(ids))
    for complaint_id in ids:
        before, after = old_hits.get(complaint_id, []), new_hits.get(complaint_id, [])
        result.fired_old.update({h.rule_id for h in before})
        result.fired_new.update({h.rule_id for h in after})
        old_verdict, new_verdict = judge(before, old), judge(after, new)
        result.transitions[(old_verdict.outcome, new_verdict.outcome)] += 1
        if old_verdict.outcome != new_verdict.outcome:
            for cause in _causes(before, after, old, new):
                result.causes[cause] += 1
                shown = result.examples.setdefault(cause, [])
                if len(shown) < examples:
                    shown.append(complaint_id)
    return result


def _causes(before: list[Hit], after: list[Hit], old: RuleSet, new: RuleSet) -> list[str]:
    fired_before = {h.rule_id for h in before}
    fired_after = {h.rule_id for h in after}
    reweighted = {r for r in fired_before & fired_after
                  if old.rule(r).weight != new.rule(r).weight}
    return sorted(fired_before ^ fired_after | reweighted) or [SCORING]
