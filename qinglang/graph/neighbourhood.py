"""`qinglang who`: the k-hop neighbourhood of one node, read from the store with indexed
lookups over the same edge declarations the graph is built from (no whole-graph build).
A hub identifier (more anchors than its type's hub degree) is shown but not walked through."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, and_, select, tuple_

from qinglang.graph.build import stored_table
from qinglang.graph.schema import Edge, GraphDeclarations, Source
from qinglang.store.tables_graph import gang_members

Node = tuple[str, str]          # (type, key)
CHUNK = 500                     # keys per IN list


@dataclass
class Neighbourhood:
    centre: Node
    hops: dict[Node, int] = field(default_factory=dict)
    edges: set[tuple[Node, Node, str]] = field(default_factory=set)   # anchor, identifier, strength
    hubs: set[Node] = field(default_factory=set)
    gangs: dict[Node, str] = field(default_factory=dict)


def _chunks(items: list[str]):
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _anchor_columns(table, source: Source):
    anchor = source.anchor
    cols = [table.c[anchor.column]]
    if anchor.fallback:
        cols.append(table.c[anchor.fallback.column])
    return cols


def _anchor_node(source: Source, row) -> Node | None:
    if row[0]:
        return source.anchor.node, row[0]
    if source.anchor.fallback and len(row) > 1 and row[1]:
        return source.anchor.fallback.node, row[1]
    return None


def _edge_type_filter(table, edge: Edge, kind: str):
    return table.c[edge.node_column] == kind if edge.node_column else None


def _anchors_of(conn, table, source: Source, edge: Edge, org: str, kind: str, keys: list[str]):
    """(identifier key, anchor node) for identifiers of `kind` among `keys`."""
    if edge.node != kind and not edge.node_column:
        return
    value = table.c[edge.column]
    for chunk in _chunks(keys):
        where = [table.c.org == org, value.in_(chunk)]
        if edge.node_column:
            where.append(_edge_type_filter(table, edge, kind))
        stmt = select(value, *_anchor_columns(table, source)).where(and_(*where)).distinct()
        for key, *anchor in conn.execute(stmt):
            node = _anchor_node(source, anchor)
            if node:
                yield key, node


def _identifiers_of(conn, table, source: Source, org: str, kind: str, keys: list[str],
                    node_types: set[str]):
    """(anchor node, identifier node, strength) for anchors of `kind` among `keys`."""
    anchor = source.anchor
    column = anchor.column if anchor.node == kind else \
        anchor.fallback.column if anchor.fallback and anchor.fallback.node == kind else None
    if column is None:
        return
    for edge in source.edges:
        value = table.c[edge.column]
        type_col = table.c[edge.node_column] if edge.node_column else None
        cols = [table.c[column], value] + ([type_col] if type_col is not None else [])
        for chunk in _chunks(keys):
            stmt = select(*cols).where(table.c.org == org, table.c[column].in_(chunk),
                                       value.is_not(None), value != "").distinct()
            for row in conn.execute(stmt):
                ident_type = row[2] if type_col is not None else edge.node
                if ident_type in node_types:
                    yield (kind, row[0]), (ident_type, row[1]), edge.strength


def neighbourhood(engine: Engine, org: str, decl: GraphDeclarations, centre: Node,
                  hops: int) -> Neighbourhood:
    result = Neighbourhood(centre, {centre: 0})
    anchor_types = {s.anchor.node for s in decl.sources} | \
        {s.anchor.fallback.node for s in decl.sources if s.anchor.fallback}
    tables = {s.table: t for s in decl.sources if (t := stored_table(engine, s.table)) is not None}
    frontier = {centre}
    with engine.connect() as conn:
        for hop in range(1, hops + 1):
            found = _expand(conn, org, decl, tables, frontier, anchor_types, result)
            frontier = {node for node in found if node not in result.hops}
            for node in frontier:
                result.hops[node] = hop
        result.gangs = _gangs_of(conn, org, list(result.hops))
    return result


def _expand(conn, org, decl, tables, frontier: set[Node], anchor_types: set[str],
            result: Neighbourhood) -> set[Node]:
    by_type: dict[str, list[str]] = defaultdict(list)
    for kind, key in frontier:
        by_type[kind].append(key)
    found: set[Node] = set()
    anchors_of: dict[Node, set[Node]] = defaultdict(set)
    for source in decl.sources:
        table = tables.get(source.table)
        if table is None:
            continue
        for kind, keys in by_type.items():
            if kind in anchor_types:
                for anchor, ident, strength in _identifiers_of(conn, table, source, org, kind, keys,
                                                               set(decl.nodes)):
                    result.edges.add((anchor, ident, strength))
                    found.add(ident)
            for edge in source.edges:
                for key, anchor in _anchors_of(conn, table, source, edge, org, kind, keys):
                    anchors_of[(kind, key)].add(anchor)
                    result.edges.add((anchor, (kind, key), edge.strength))
    for ident, anchors in anchors_of.items():
        cut = decl.nodes[ident[0]].hub_degree
        if cut is not None and len(anchors) > cut:
            result.hubs.add(ident)
        else:
            found |= anchors
    return found


def _gangs_of(conn: Connection, org: str, nodes: list[Node]) -> dict[Node, str]:
    gangs = {}
    for i in range(0, len(nodes), CHUNK):
        chunk = nodes[i:i + CHUNK]
        stmt = select(gang_members.c.member_type, gang_members.c.member_key,
                      gang_members.c.gang_id).where(
            gang_members.c.org == org,
            tuple_(gang_members.c.member_type, gang_members.c.member_key).in_(chunk))
        for kind, key, gang_id in conn.execute(stmt):
            gangs[(kind, key)] = gang_id
    return gangs
