"""Analysts' findings on the manual rules (1.1, 1.3, 1.4, 3.3, 4.3, 5.7 …): list, add, withdraw;
optionally re-score the complaint at once. Notes are returned with numbers masked."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from qinglang.api.deps import EngineDep, Reader, Revealer, Writer
from qinglang.api.pagination import Page, Paging
from qinglang.api.routers.complaints import Assessment
from qinglang.services import findings

router = APIRouter(prefix="/findings", tags=["findings"])
FindingId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="the finding's number")]


class Finding(BaseModel):
    finding_id: int
    complaint_id: str
    rule_id: str
    note: str
    added_by: str
    added_at: datetime
    withdrawn: bool
    withdrawn_by: str | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None


class NewFinding(BaseModel):
    complaint_id: str = Field(min_length=1, max_length=256)
    rule_id: str = Field(pattern=r"^[1-5]\.\d{1,2}$", examples=["3.3"])
    note: str = Field(min_length=1, max_length=findings.MAX_NOTE)
    rescore: bool = Field(False, description="score the complaint again at once")


class Withdrawal(BaseModel):
    reason: str = Field(min_length=1, max_length=findings.MAX_NOTE)
    rescore: bool = Field(False, description="score the complaint again at once")


class FindingResult(BaseModel):
    finding: Finding
    assessment: Assessment | None = None


@router.get("", response_model=Page[Finding])
def list_findings(caller: Reader, engine: EngineDep, paging: Paging,
                  complaint_id: str | None = None) -> dict:
    found = findings.list_findings(engine, caller.org, complaint_id)
    return _page(found, paging)


@router.post("/reveal", response_model=Page[Finding])
def reveal_findings(caller: Revealer, engine: EngineDep, paging: Paging,
                    complaint_id: str | None = None) -> dict:
    """The findings with their notes in full. Needs the reveal permission; audited."""
    found = findings.list_findings(engine, caller.org, complaint_id, unmasked=True,
                                   actor=caller.username)
    return _page(found, paging)


@router.post("", status_code=201, response_model=FindingResult)
def add_finding(new: NewFinding, caller: Writer, engine: EngineDep) -> FindingResult:
    """Record a finding; it counts as a hit of its rule when the complaint is scored."""
    finding_id = findings.add_finding(engine, caller.org, caller.username, new.complaint_id,
                                      new.rule_id, new.note)
    return _result(engine, caller, new.complaint_id, finding_id, new.rescore)


@router.post("/{finding_id}/withdraw", response_model=FindingResult)
def withdraw_finding(finding_id: FindingId, withdrawal: Withdrawal, caller: Writer,
                     engine: EngineDep) -> FindingResult:
    """Withdraw a finding: it stays on record, marked withdrawn, and no longer counts."""
    complaint_id = findings.withdraw_finding(engine, caller.org, caller.username, finding_id,
                                             withdrawal.reason)
    return _result(engine, caller, complaint_id, finding_id, withdrawal.rescore)


def _result(engine, caller, complaint_id: str, finding_id: int, rescore: bool) -> FindingResult:
    finding = next(f for f in findings.list_findings(engine, caller.org, complaint_id)
                   if f["finding_id"] == finding_id)
    if not rescore:
        return FindingResult(finding=finding)
    result = findings.rescore(engine, caller.org, caller.username, complaint_id)
    verdict = result.verdict
    return FindingResult(finding=finding, assessment=Assessment(
        risk_score=verdict.risk_score, outcome=verdict.outcome,
        rules=verdict.rules.split(";") if verdict.rules else [],
        explanation=verdict.explanation, ruleset_version=result.ruleset_version))


def _page(found: list[dict], paging) -> dict:
    return {"items": found[paging.offset:paging.offset + paging.limit], "total": len(found),
            "offset": paging.offset, "limit": paging.limit}
