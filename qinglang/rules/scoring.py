"""From rule hits to a risk score, an outcome and a one-line Chinese explanation."""

from __future__ import annotations

from dataclasses import dataclass

from qinglang.detect.base import Hit
from qinglang.model.values.masking import mask_phone
from qinglang.rules.schema import RuleSet


@dataclass(frozen=True)
class Verdict:
    risk_score: int
    outcome: str
    rules: str
    explanation: str


def judge(hits: list[Hit], ruleset: RuleSet) -> Verdict:
    return Judge(ruleset)(hits)


NOTHING_FIRED = Verdict(0, "genuine", "", "未命中识别规则")


class Judge:
    """`judge` for many complaints under one rule set: the score, outcome, rule list and
    strongest rule of each combination of fired rules are worked out once (a million
    complaints show a few thousand combinations); only the explanation is each complaint's
    own."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self.weight = {rule.id: rule.weight for rule in ruleset.rules}
        self.title = {rule.id: rule.title_zh for rule in ruleset.rules}
        self.combinations: dict[frozenset[str], tuple[int, str, str, str]] = {}

    def __call__(self, hits: list[Hit]) -> Verdict:
        if not hits:
            return NOTHING_FIRED
        fired = frozenset([hit.rule_id for hit in hits])
        scored = self.combinations.get(fired)
        if scored is None:
            scored = self.combinations[fired] = self._scored(fired)
        score, outcome, rules, strongest = scored
        hit = next(hit for hit in hits if hit.rule_id == strongest)
        return Verdict(score, outcome, rules, _explain(hit, self.title[strongest], len(fired)))

    def _scored(self, fired: frozenset[str]) -> tuple[int, str, str, str]:
        ordered = sorted(fired, key=_rule_order)
        counted = set(_counted(ordered, self.ruleset))
        score = min(100, round(sum(self.weight[r] for r in ordered if r in counted)))
        strongest = max(fired, key=lambda rule_id: (self.weight[rule_id], rule_id))
        return score, _outcome(score, ordered, self.ruleset), ";".join(ordered), strongest


def _counted(fired: list[str], ruleset: RuleSet) -> list[str]:
    """The fired rules that add to the score: a rule subsumed by another fired one does not."""
    subsumed = {s for rule_id in fired for s in ruleset.rule(rule_id).subsumes}
    return [rule_id for rule_id in fired if rule_id not in subsumed]


def _outcome(score: int, fired: list[str], ruleset: RuleSet) -> str:
    t = ruleset.thresholds
    if score >= t.malicious and set(fired) & set(ruleset.malicious_requires):
        return "malicious"
    if score >= t.agent_driven:
        return "agent_driven"
    if score >= t.review:
        return "review"
    return "genuine"


def _rule_order(rule_id: str) -> tuple[int, int]:
    major, minor = rule_id.split(".")
    return int(major), int(minor)


def _explain(hit: Hit, title: str, fired: int) -> str:
    detail = _detail(hit)
    line = title + (f"（{detail}）" if detail else "")
    return line + (f"，共命中 {fired} 条规则" if fired > 1 else "")


def _detail(hit: Hit) -> str:
    """The strongest evidence in words, personal numbers masked."""
    e = hit.evidence
    if "template_id" in e:
        return f"模板 {e['template_id']} 涉及 {e['customers']} 名客户"
    if "citations" in e or "jargon" in e:
        terms = [*e.get("citations", ()), *e.get("jargon", ())]
        return "、".join(f"“{term}”" for term in terms[:3])
    if "buildings" in e:
        return f"同一楼宇涉及 {max(e['buildings'].values())} 名客户"
    if "findings" in e:
        return f"分析员认定 {len(e['findings'])} 条"
    if "number" in e and "posts" in e:
        return f"{mask_phone(e['number'])} 见于 {len(e['posts'])} 条黑灰产内容"
    if "number" in e and "customers" in e:
        return f"{mask_phone(e['number'])} 涉及 {e['customers']} 名客户"
    if "number" in e:
        return f"来电 {mask_phone(e['number'])}"
    if isinstance(e.get("numbers"), dict):
        return f"非预留号码涉及 {max(e['numbers'].values())} 名客户"
    if "numbers" in e:
        return f"{len(e['numbers'])} 个非预留号码"
    if "voiceprints" in e:
        return f"声纹涉及 {max(e['voiceprints'].values())} 名客户"
    if "calls" in e:
        return f"{len(e['calls'])} 通来电"
    if "complaints_in_window" in e:
        return f"{e['window_days']} 天内 {e['complaints_in_window']} 次投诉"
    if "channels_in_window" in e:
        return f"{e['window_days']} 天内 {e['channels_in_window']} 个渠道"
    if "tags" in e:
        return "、".join(f"“{phrase}”" for phrase in e["tags"].values())
    if "files" in e:
        return f"{len(e['files'])} 份附件与其他客户相同"
    return ""
