"""Rule sets as versioned data: the identification rules of domain.md with their parameters,
weights and outcome thresholds. An institution changes a threshold by editing the YAML file;
a misspelled key or an unknown rule id fails loudly."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qinglang.errors import InputError

Outcome = Literal["genuine", "review", "agent_driven", "malicious"]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[1-5]\.\d+$")
    title_zh: str
    title_en: str
    description: str
    mode: Literal["auto", "manual"]
    weight: float = Field(ge=0, le=100)
    params: dict[str, float | int | str | list[str]] = {}
    subsumes: tuple[str, ...] = ()
    evidence: str


class Thresholds(BaseModel):
    """Lowest risk score of each outcome; below `review` a complaint is genuine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    review: float
    agent_driven: float
    malicious: float

    @model_validator(mode="after")
    def _ascending(self) -> "Thresholds":
        if not 0 < self.review < self.agent_driven < self.malicious <= 100:
            raise ValueError("thresholds must rise: 0 < review < agent_driven < malicious <= 100")
        return self


# Rule indexes by the identity of the rules tuple they were made from (which they keep alive,
# so an id is never reused while its entry stands); a few rule sets are in use at a time.
_INDEXES: dict[int, tuple[tuple, dict]] = {}
MAX_INDEXES = 32


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    thresholds: Thresholds
    malicious_requires: list[str] = []
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> "RuleSet":
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("a rule id appears twice")
        named = set(self.malicious_requires) | {s for r in self.rules for s in r.subsumes}
        unknown = named - set(ids)
        if unknown:
            raise ValueError(f"unknown rule ids named: {sorted(unknown)}")
        return self

    def rule(self, rule_id: str) -> Rule:
        """Looked up in an index kept beside the rules it was made from (scoring looks a
        rule up for every hit of a million complaints); a copy with other rules gets its own."""
        made_from, by_id = _INDEXES.get(id(self.rules), ((), {}))
        if made_from is not self.rules:
            by_id = {rule.id: rule for rule in self.rules}
            if len(_INDEXES) >= MAX_INDEXES:
                _INDEXES.pop(next(iter(_INDEXES)))
            _INDEXES[id(self.rules)] = (self.rules, by_id)
        return by_id[rule_id]

    def param(self, rule_id: str, name: str):
        return self.rule(rule_id).params[name]


def load_ruleset(path: Path | None = None) -> RuleSet:
    """The rule set in `path`, or the default shipped with qinglang."""
    if path is None:
        return default_ruleset()
    try:
        return RuleSet.model_validate(yaml.safe_load(path.read_text("utf-8")))
    except OSError as error:
        raise InputError(f"{path}: cannot read the rule set ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error})") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                             for e in error.errors()[:5])
        raise InputError(f"{path}: not a valid rule set: {problems}") from error


@cache
def default_ruleset() -> RuleSet:
    text = resources.files("qinglang.rules").joinpath("default.yaml").read_text("utf-8")
    return RuleSet.model_validate(yaml.safe_load(text))
