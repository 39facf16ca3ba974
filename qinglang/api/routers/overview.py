"""The 全域监控 overview: one call with every figure the dashboard's first page draws."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from qinglang.api.deps import EngineDep, Reader
from qinglang.services import gangs, monitor
from qinglang.services.stats import store_stats

router = APIRouter(tags=["overview"])
TOP = 10


class StoreCounts(BaseModel):
    records: dict[str, int]
    attachments: int
    imports: int
    rows_rejected: int


class TopGangs(BaseModel):
    top: list[dict[str, Any]]


class CaseCounts(BaseModel):
    by_status: dict[str, int]


class ContentHits(BaseModel):
    by_platform_level: list[dict[str, Any]]


class Overview(BaseModel):
    org: str
    store: StoreCounts
    complaints: dict[str, Any]
    gangs: TopGangs
    content: ContentHits
    cases: CaseCounts


@router.get("/overview", response_model=Overview)
def overview(caller: Reader, engine: EngineDep) -> Overview:
    stats = store_stats(engine, caller.org)
    return Overview(
        org=caller.org,
        store=StoreCounts(records=stats.records, attachments=stats.attachments,
                          imports=stats.imports, rows_rejected=stats.rows_rejected),
        complaints=monitor.complaints_overview(engine, caller.org),
        gangs=TopGangs(top=[{"gang_id": g["gang_id"], "kind": g["kind"], "score": g["score"],
                             "n_customers": g["n_customers"]}
                            for g in gangs.list_gangs(engine, caller.org, TOP)]),
        content=ContentHits(by_platform_level=monitor.content_hits(engine, caller.org)),
        cases=CaseCounts(by_status=monitor.cases_by_status(engine, caller.org)))
