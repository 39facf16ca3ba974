"""The complaint queue, one complaint with the evidence behind its verdict, revealing it, and
online scoring of a new complaint."""

from __future__ import annotations

from datetime import datetime
from threading import BoundedSemaphore
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from qinglang.api.deps import EngineDep, Reader, Revealer, SettingsDep, Writer, tenant_settings
from qinglang.api.pagination import Page, Paging
from qinglang.model.values import IdNumberProtector
from qinglang.services import monitor, online

router = APIRouter(prefix="/complaints", tags=["complaints"])
# Scorings at once in one server process: one. Scoring holds the interpreter lock except
# inside SQLite, which lets it go at every statement step, so scorings side by side hand the
# lock to each other some 180 times a request: in one process on a million complaints, four
# threads took 7.9-8.9 CPU-ms a scoring and no less wall time, one thread 4.6-5.1. With the
# store read through a memory map a scoring seldom waits on the disk; at 100 requests/s, two
# processes, the 99th percentile was 49-57 ms with one at a time, 70-108 ms with four.
SCORINGS_AT_ONCE = BoundedSemaphore(1)

Outcome = Literal["genuine", "review", "agent_driven", "malicious"]
Channel = Literal["regulator", "hotline", "letter", "petition", "police", "online", "other"]


class QueueItem(BaseModel):
    complaint_id: str
    customer_id: str | None
    received_at: datetime | None
    channel: str | None
    claimed_role: str | None
    contact_phone: str | None
    risk_score: int
    outcome: str
    rules: list[str]
    explanation: str


class Hit(BaseModel):
    rule_id: str
    title_zh: str
    title_en: str
    weight: float | None
    evidence: dict[str, Any]


class Assessment(BaseModel):
    risk_score: int
    outcome: str
    rules: list[str]
    explanation: str
    ruleset_version: str
    assessed_at: datetime | None = None


class Attachment(BaseModel):
    file_name: str
    sha256: str | None
    size_bytes: int | None


class ComplaintDetail(BaseModel):
    complaint: dict[str, Any]
    revealed: bool
    assessment: Assessment | None
    hits: list[Hit]
    attachments: list[Attachment]


class NewComplaint(BaseModel):
    """A complaint as formats.md's "complaints" export row; values are cleaned as an import
    cleans them, and a bad one is refused naming the field, never repeating the value."""

    complaint_id: str = Field(min_length=1, max_length=256)
    customer_id: str = Field("", max_length=256)
    received_at: str = Field(max_length=64, examples=["2024-06-03 14:22:05"])
    channel: str = Field(max_length=32, examples=["regulator"])
    text: str = Field(max_length=100_000)
    contact_phone: str | None = Field(None, max_length=64)
    contact_email: str | None = Field(None, max_length=256)
    mailing_address: str | None = Field(None, max_length=1024)
    claimed_role: str | None = Field(None, max_length=32)
    demands: str | None = Field(None, max_length=4096, description="separated by ;")
    attachments: str | None = Field(None, max_length=4096, description="separated by ;")


class OnlineResult(BaseModel):
    complaint_id: str
    assessment: Assessment
    hits: list[Hit]
    neighbourhood: int


@router.get("", response_model=Page[QueueItem])
def queue(caller: Reader, engine: EngineDep, paging: Paging,
          outcome: Outcome | None = None,
          min_risk: Annotated[int | None, Query(ge=0, le=100)] = None,
          rule: Annotated[str | None, Query(pattern=r"^[1-5]\.\d{1,2}$")] = None,
          channel: Channel | None = None,
          received_from: datetime | None = None,
          received_to: datetime | None = None) -> monitor.Page:
    wanted = monitor.QueueFilter(outcome, min_risk, rule, channel, received_from, received_to)
    return monitor.complaint_queue(engine, caller.org, wanted, paging.offset, paging.limit)


@router.post("/score", response_model=OnlineResult)
def score(complaint: NewComplaint, caller: Writer, engine: EngineDep,
          settings: SettingsDep) -> OnlineResult:
    """Score one new complaint (a formats.md "complaints" row) against the stored history;
    nothing is stored."""
    row = complaint.model_dump(exclude_none=True)
    with SCORINGS_AT_ONCE:
        result = online.score_complaint(engine, tenant_settings(settings, caller), row)
    verdict = result.verdict
    return OnlineResult(
        complaint_id=result.complaint_id,
        assessment=Assessment(risk_score=verdict.risk_score, outcome=verdict.outcome,
                              rules=verdict.rules.split(";") if verdict.rules else [],
                              explanation=verdict.explanation,
                              ruleset_version=result.ruleset_version),
        hits=[monitor.hit_view(h.rule_id, h.evidence, revealed=False) for h in result.hits],
        neighbourhood=result.neighbourhood)


@router.get("/{complaint_id}", response_model=ComplaintDetail)
def detail(complaint_id: str, caller: Reader, engine: EngineDep) -> dict:
    return monitor.complaint_detail(engine, caller.org, complaint_id)


@router.post("/{complaint_id}/reveal", response_model=ComplaintDetail)
def reveal(complaint_id: str, caller: Revealer, engine: EngineDep,
           settings: SettingsDep) -> dict:
    """The complaint with personal data in full. Needs the reveal permission; audited."""
    return monitor.reveal_complaint(engine, caller.org, complaint_id, caller.username,
                                    IdNumberProtector(settings.secret_key))
