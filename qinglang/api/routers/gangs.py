"""Gangs, agent profiles, `who` queries and the explorable graph; identifiers masked."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from qinglang.api.deps import EngineDep, Reader, SettingsDep
from qinglang.api.pagination import Page, Paging
from qinglang.services import explore, gangs

router = APIRouter(tags=["gangs"])


class Gang(BaseModel):
    gang_id: str
    kind: str
    score: int
    n_customers: int
    n_complaints: int
    first_seen: datetime | None
    last_seen: datetime | None
    channels: dict[str, int]
    regions: dict[str, int]
    rules: dict[str, int]


class GangDetail(Gang):
    identifiers: list[str]
    members: dict[str, list[dict[str, str]]]
    score_parts: dict[str, float]


class GraphNode(BaseModel):
    ref: str
    label: str
    type: str
    gang_id: str
    hub: bool
    member: bool


class GraphLink(BaseModel):
    source: str
    target: str
    strength: str


class Graph(BaseModel):
    nodes: list[GraphNode]
    links: list[GraphLink]


@router.get("/gangs", response_model=Page[Gang])
def list_gangs(caller: Reader, engine: EngineDep, paging: Paging) -> dict:
    """Gangs by score, highest first."""
    found = gangs.list_gangs(engine, caller.org)
    return {"items": found[paging.offset:paging.offset + paging.limit], "total": len(found),
            "offset": paging.offset, "limit": paging.limit}


@router.get("/gangs/{gang_id}", response_model=GangDetail)
def gang(gang_id: str, caller: Reader, engine: EngineDep) -> dict:
    explore.require_gang(engine, caller.org, gang_id)
    return gangs.gang_detail(engine, caller.org, gang_id)


@router.get("/gangs/{gang_id}/graph", response_model=Graph)
def gang_graph(gang_id: str, caller: Reader, engine: EngineDep, settings: SettingsDep) -> dict:
    """The gang's identifiers and the records linked to them; nodes named by references."""
    return explore.gang_graph(engine, caller.org, settings.secret_key, gang_id)


@router.get("/graph/nodes/{ref}/neighbours", response_model=Graph)
def neighbours(ref: str, caller: Reader, engine: EngineDep, settings: SettingsDep) -> dict:
    """A node (by the reference a graph gave) and its direct neighbours."""
    return explore.expand(engine, caller.org, settings.secret_key, ref)


@router.get("/agents", response_model=list[dict[str, Any]])
def agents(caller: Reader, engine: EngineDep, gang_id: str | None = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[dict]:
    """Identifiers acting for several customers, with their customers, channels, time line."""
    return gangs.agent_profiles(engine, caller.org, gang_id, limit)


@router.get("/who", response_model=dict[str, Any])
def who(caller: Reader, engine: EngineDep,
        identifier: Annotated[str, Query(min_length=1, max_length=256,
                                         description="phone:…, customer:… or a number")],
        hops: Annotated[int, Query(ge=1, le=3)] = 2) -> dict:
    """The neighbourhood of a phone, handle, voiceprint or customer, masked."""
    return gangs.who(engine, caller.org, identifier, hops)
