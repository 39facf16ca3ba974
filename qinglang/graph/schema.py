"""Strict loading of the graph declarations (edges.yaml) and the gang settings (gangs.yaml).

A misspelled key, an edge to an undeclared node type or a weight out of range fails loudly,
so that a new source adds edges by editing data, never code.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qinglang.errors import InputError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeType(Strict):
    hub_degree: int | None = Field(default=None, ge=2)
    personal: bool = False


class Column(Strict):
    node: str
    column: str


class Anchor(Column):
    fallback: Column | None = None


class Edge(Strict):
    column: str
    node: str | None = None
    node_column: str | None = None
    strength: Literal["strong", "weak"]
    weight: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _one_node_type(self) -> "Edge":
        if (self.node is None) == (self.node_column is None):
            raise ValueError("an edge names exactly one of `node` and `node_column`")
        return self


class Source(Strict):
    table: str
    anchor: Anchor
    edges: tuple[Edge, ...]


class Reported(Strict):
    table: str
    column: str
    node_column: str


class GraphDeclarations(Strict):
    version: str
    nodes: dict[str, NodeType]
    sources: tuple[Source, ...]
    reported: tuple[Reported, ...] = ()

    @model_validator(mode="after")
    def _known_nodes(self) -> "GraphDeclarations":
        named = set()
        for source in self.sources:
            named.add(source.anchor.node)
            if source.anchor.fallback:
                named.add(source.anchor.fallback.node)
            named.update(edge.node for edge in source.edges if edge.node)
        unknown = named - set(self.nodes)
        if unknown:
            raise ValueError(f"undeclared node types: {sorted(unknown)}")
        return self


class ScoreFeature(Strict):
    per: float = Field(ge=0)
    above: float = Field(ge=0)
    cap: float = Field(ge=0, le=100)


class KindRule(Strict):
    kind: Literal["agent_firm", "anti_collection_group", "debt_evasion_ring"]
    roles: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    min_share: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _one_condition(self) -> "KindRule":
        if bool(self.roles) == bool(self.channels):
            raise ValueError("a kind rule names exactly one of `roles` and `channels`")
        return self


class GangSettings(Strict):
    version: str
    min_customers: int = Field(ge=2)
    max_component_customers: int = Field(ge=3)
    leiden_resolution: float = Field(gt=0, lt=1)
    agent_min_customers: int = Field(ge=2)
    incremental_max_share: float = Field(ge=0)
    score: dict[Literal["customers", "complaints", "rules", "channels", "regions", "span_days",
                        "reported"], ScoreFeature]
    kinds: tuple[KindRule, ...]


def _load(model, path: Path | None, default: str):
    text = path.read_text("utf-8") if path else \
        resources.files("qinglang.graph").joinpath(default).read_text("utf-8")
    try:
        return model.model_validate(yaml.safe_load(text))
    except ValidationError as error:
        raise InputError(f"invalid graph declarations {path or default}: {error}") from None


def load_declarations(path: Path | None = None) -> GraphDeclarations:
    return _load(GraphDeclarations, path, "edges.yaml")


def load_gang_settings(path: Path | None = None) -> GangSettings:
    return _load(GangSettings, path, "gangs.yaml")


@cache
def default_declarations() -> GraphDeclarations:
    return load_declarations()


@cache
def default_gang_settings() -> GangSettings:
    return load_gang_settings()
