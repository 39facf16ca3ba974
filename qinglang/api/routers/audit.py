"""The audit log of the caller's institution (auditors and admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from qinglang.api.deps import Auditor, EngineDep
from qinglang.services import audit

router = APIRouter(tags=["audit"])


class Entry(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    hash: str


@router.get("/audit", response_model=list[Entry])
def entries(caller: Auditor, engine: EngineDep, actor: str | None = None,
            action: str | None = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict]:
    """The newest entries first."""
    return [e.__dict__ for e in audit.entries(engine, caller.org, actor, action, limit)]
