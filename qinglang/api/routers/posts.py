"""Content: flagged posts with where their terms and contacts were found, and scanning texts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from qinglang.api.deps import EngineDep, Reader, Writer
from qinglang.api.pagination import Page, Paging
from qinglang.content.engine import default_engine
from qinglang.services import monitor
from qinglang.services.content import scan_row

router = APIRouter(prefix="/posts", tags=["content"])


class FlaggedPost(BaseModel):
    post_id: str
    platform: str | None
    account_name: str | None
    published_at: datetime | None
    url: str | None
    text: str
    level: int | None
    category: str | None
    score: float
    terms: list[dict[str, Any]]
    contacts: list[dict[str, Any]]


class Texts(BaseModel):
    texts: list[Annotated[str, Field(max_length=100_000)]] = Field(min_length=1,
                                                                  max_length=1000)


class Scan(BaseModel):
    is_black_gray: bool
    level: int | None
    category: str | None
    score: float
    terms: list[str]
    contacts: list[str]
    evidence: dict[str, Any]


@router.get("", response_model=Page[FlaggedPost])
def flagged(caller: Reader, engine: EngineDep, paging: Paging,
            level: Annotated[int | None, Query(ge=1, le=9)] = None,
            platform: Annotated[str | None, Query(max_length=64)] = None,
            category: Annotated[str | None, Query(max_length=64)] = None) -> monitor.Page:
    """Black/gray posts, most severe first; contacts in the text are masked in place."""
    wanted = monitor.PostFilter(level, platform, category)
    return monitor.flagged_posts(engine, caller.org, wanted, paging.offset, paging.limit)


@router.post("/scan", response_model=list[Scan])
def scan(body: Texts, caller: Writer) -> list[Scan]:
    """Assess texts (ads, SMS, posts) without storing them; contacts masked."""
    results = default_engine().assess(body.texts)
    return [Scan(**_scan_fields(scan_row("", r, unmasked=False)), evidence=r.evidence())
            for r in results]


def _scan_fields(row: dict) -> dict:
    return {"is_black_gray": bool(row["is_black_gray"]), "level": row["level"] or None,
            "category": row["category"] or None, "score": row["score"],
            "terms": [t for t in row["terms"].split(";") if t],
            "contacts": [c for c in row["contacts"].split(";") if c]}
