"""A case as read from the store: its row, its event log and its evidence, in order."""

from __future__ import annotations

from dataclasses import dataclass

from qinglang.model.case import CaseStatus


@dataclass(frozen=True)
class CaseView:
    case: dict
    events: list[dict]
    evidence: list[dict]

    @property
    def status(self) -> CaseStatus:
        return CaseStatus(self.case["status"])
