"""A gang's score and kind, from the facts gathered about it. Each feature is a small pure
function of the facts; the weights, caps and kind conditions are data (gangs.yaml)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from qinglang.graph.schema import GangSettings, KindRule


@dataclass
class GangFacts:
    customers: int = 0
    complaints: int = 0
    channels: Counter = field(default_factory=Counter)     # complaints per channel
    roles: Counter = field(default_factory=Counter)        # complaints per claimed role
    regions: Counter = field(default_factory=Counter)      # customers per region
    rules: Counter = field(default_factory=Counter)        # complaints per rule fired
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    reported: int = 0                                      # identifiers in intelligence

    @property
    def span_days(self) -> float:
        if self.first_seen is None or self.last_seen is None:
            return 0.0
        return (self.last_seen - self.first_seen).total_seconds() / 86400


def feature_units(facts: GangFacts) -> dict[str, float]:
    """The quantity each score feature counts."""
    return {
        "customers": facts.customers,
        "complaints": facts.complaints,
        "rules": len(facts.rules),
        "channels": len(facts.channels),
        "regions": len(facts.regions),
        "span_days": facts.span_days,
        "reported": facts.reported,
    }


def score_parts(facts: GangFacts, settings: GangSettings) -> dict[str, float]:
    """Points of each feature: `per` points a unit above `above`, at most `cap`."""
    units = feature_units(facts)
    return {name: min(f.cap, f.per * max(0.0, units[name] - f.above))
            for name, f in settings.score.items()}


def gang_score(facts: GangFacts, settings: GangSettings) -> int:
    return min(100, round(sum(score_parts(facts, settings).values())))


def _share(rule: KindRule, facts: GangFacts) -> float:
    counts, wanted = (facts.roles, rule.roles) if rule.roles else (facts.channels, rule.channels)
    total = sum(counts.values())
    return sum(counts[name] for name in wanted) / total if total else 0.0


def gang_kind(facts: GangFacts, settings: GangSettings) -> str:
    """The first kind whose role (or channel) share is reached; `unknown` if none is."""
    for rule in settings.kinds:
        if _share(rule, facts) >= rule.min_share:
            return rule.kind
    return "unknown"
