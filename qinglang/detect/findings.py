"""Manual rules (1.1, 1.3, 3.3, 4.3, 5.7 …) as hits: the analysts' findings still standing.

A finding counts as a hit of its rule on its complaint, the notes as evidence, as long as the
rule is a manual one of the rule set being applied and the finding was not withdrawn. The
same query serves batch and online scoring: findings are read from the stored table for the
complaints in `complaints` — the whole store in batch, the neighbourhood's temporary copy
online, so scoring one complaint reads only its own findings.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from sqlalchemy import Connection, select

from qinglang.detect.base import Hit, built_once, complaints
from qinglang.rules.schema import RuleSet
from qinglang.store.tables_findings import finding_withdrawals, findings


def finding_hits(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """One hit per complaint and manual rule, listing every standing finding behind it."""
    manual = tuple(rule.id for rule in rules.rules if rule.mode == "manual")
    notes: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in conn.execute(_standing_findings(org, manual)):
        notes[row.complaint_id, row.rule_id].append(
            {"finding_id": row.finding_id, "note": row.note, "by": row.added_by,
             "at": row.added_at.isoformat(timespec="seconds")})
    return (Hit(complaint_id, rule_id, {"findings": found})
            for (complaint_id, rule_id), found in notes.items())


@built_once
def _standing_findings(org: str, manual: tuple[str, ...]):
    scored = select(complaints.c.complaint_id).where(  # a key lookup per finding
        complaints.c.org == findings.c.org, complaints.c.complaint_id == findings.c.complaint_id)
    withdrawn = select(finding_withdrawals.c.finding_id).where(finding_withdrawals.c.org == org)
    return (select(findings)
            .where(findings.c.org == org, findings.c.rule_id.in_(manual),
                   scored.exists(), findings.c.finding_id.not_in(withdrawn))
            .order_by(findings.c.finding_id))
