"""The entity graph, read from the store in bulk.

For each node type one SQL query gathers every declared edge to identifiers of that type
(a UNION ALL over the sources, each served by a narrow covering index), counts the distinct
records behind each identifier in the store, and returns only the edges of identifiers that
two or more records share: an identifier of one record joins nothing, and at a million
customers that is 19 edges in 20. The rows become integer node ids by pandas' hash
factorisation and the edges stay numpy arrays; no Python loop runs per row.

Node ids are global: node type t's nodes are `offsets[t] .. offsets[t + 1] - 1`, in the order
of `types`. An edge always joins an anchor (a customer, complaint, post, company) to an
identifier; it is kept once per pair, with the strongest declaration that made it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from queue import Empty, SimpleQueue

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column, Engine, MetaData, String, Table, func, insert, inspect, literal, or_, select, union_all,
)

from qinglang.errors import InputError
from qinglang.graph.schema import Edge, GraphDeclarations, Source, default_declarations
from qinglang.store.catalog import metadata

READERS = 2               # connections reading the store at once (the machine has two cores)
ITS_OWN_EDGES = -1        # declaration index of the rows that count an identifier's own edges


@dataclass
class EntityGraph:
    types: list[str]
    keys: list[np.ndarray]              # per type: its node keys (object array)
    offsets: np.ndarray                 # len(types) + 1
    src: np.ndarray                     # anchor node ids (int64)
    dst: np.ndarray                     # identifier node ids (int64)
    weight: np.ndarray                  # float32
    strong: np.ndarray                  # bool
    degree: np.ndarray = field(init=False)
    hub: np.ndarray = field(init=False)
    reported: np.ndarray = field(init=False)

    @property
    def n_nodes(self) -> int:
        return int(self.offsets[-1])

    def type_of(self, nodes: np.ndarray) -> np.ndarray:
        """Type index of each node id."""
        return np.searchsorted(self.offsets, nodes, side="right") - 1

    def type_code(self, name: str) -> int:
        return self.types.index(name)

    def nodes_of_type(self, name: str) -> np.ndarray:
        t = self.type_code(name)
        return np.arange(self.offsets[t], self.offsets[t + 1])

    def key_of(self, nodes: np.ndarray) -> np.ndarray:
        """Key of each node id (object array)."""
        keys = np.empty(len(nodes), dtype=object)
        types = self.type_of(nodes)
        for t in np.unique(types):
            mask = types == t
            keys[mask] = self.keys[t][nodes[mask] - self.offsets[t]]
        return keys

    def find(self, type_name: str, key: str) -> int | None:
        """Global id of a node, or None."""
        t = self.type_code(type_name)
        hits = np.flatnonzero(self.keys[t] == key)
        return int(self.offsets[t] + hits[0]) if len(hits) else None


@dataclass(frozen=True)
class _Declared:
    """One query's edges: anchors of one type to identifiers of one type, one weight."""
    anchor_type: int
    ident_type: int
    weight: float
    strong: bool


def stored_table(engine: Engine, name: str) -> Table | None:
    """A table of the store by name: declared in the catalog, else reflected; None while it
    does not exist (a source whose engine has not landed yet is skipped)."""
    if not inspect(engine).has_table(name):
        return None
    declared = metadata.tables.get(name)
    return declared if declared is not None else Table(name, MetaData(), autoload_with=engine)


def table_column(table: Table, name: str):
    if name not in table.c:
        raise InputError(f"graph declarations: table {table.name} has no column {name}")
    return table.c[name]


def _fetch_columns(conn, stmt, n: int) -> list[np.ndarray]:
    """A result as n object arrays. The driver's own tuples are taken (SQLAlchemy's Row
    wrappers cost more than the query) and transposed in C."""
    rows = conn.execute(stmt).cursor.fetchall()
    columns = list(zip(*rows)) if rows else [()] * n
    out = []
    for values in columns:
        array = np.empty(len(values), dtype=object)
        array[:] = values
        out.append(array)
    return out


def _queries(table: Table, source: Source, edge: Edge, org: str, node_types: list[str]):
    """(anchor type, identifier type, anchor column, where clause) of one declared edge. Rows
    with no anchor fall back to the fallback anchor; a type column is split by type in SQL."""
    value = table_column(table, edge.column)
    anchor = source.anchor
    anchors = [(anchor.node, table_column(table, anchor.column))]
    if anchor.fallback:
        anchors.append((anchor.fallback.node, table_column(table, anchor.fallback.column)))
    idents = [(edge.node, None)] if edge.node else \
        [(t, table_column(table, edge.node_column) == t) for t in node_types]
    for k, (anchor_type, anchor_col) in enumerate(anchors):
        where = [table.c.org == org, value.is_not(None), value != ""]
        where += [anchor_col.is_not(None)] if k == 0 else [anchors[0][1].is_(None)]
        for ident_type, condition in idents:
            yield anchor_type, ident_type, anchor_col, value, where + ([condition] if condition is not None else [])


def _shared_edges_query(parts: list[tuple[int, str, object, object, list]], keys: Table | None):
    """Every edge to an identifier that two or more anchors share. The store counts the
    anchors of each identifier (a GROUP BY over all the edges of one node type); only the
    shared part of the graph, a small fraction of it, comes back to Python. With `keys` (a
    table of node type, key), only the edges of those identifiers: the same index-only scan,
    each value probed in the keys (`value || ''` keeps the planner off the per-value index,
    whose lookups read the wide record rows), and only those grouped. Each source's rows are
    distinct first: a customer's many calls from one number are one edge, and the indexes'
    order makes that free where it matters (calls by customer, then number)."""
    def restricted(value, ident_type):
        return [] if keys is None else [(value + "").in_(
            select(keys.c.node_key).where(keys.c.node_type == ident_type))]

    edges = union_all(*[
        select(literal(d).label("d"), literal(anchor_type).label("t"), anchor.label("a"),
               value.label("v")).distinct().where(*where, *restricted(value, ident_type))
        for d, anchor_type, ident_type, anchor, value, where in parts]).cte("edges")
    # two distinct (type, anchor) pairs, told by min < max rather than a count of distinct
    # concatenated strings, which costs more than the scan
    shared = select(edges.c.v).group_by(edges.c.v).having(or_(
        func.min(edges.c.a) < func.max(edges.c.a), func.min(edges.c.t) < func.max(edges.c.t)))
    return select(edges.c.d, edges.c.a, edges.c.v).where(edges.c.v.in_(shared))


def _collect(engine: Engine, decl: GraphDeclarations, org: str, only: dict | None):
    """Rows (declaration index, anchor key, identifier key) of the shared edges — of every
    identifier, or of the identifiers in `only` (type → keys) — and what each declaration
    index stands for; the sources skipped for want of a table."""
    types = list(decl.nodes)
    declared: list[_Declared] = []
    by_type: dict[str, list] = {}
    skipped = []
    for source in decl.sources:
        table = stored_table(engine, source.table)
        if table is None:
            skipped.append(source.table)
            continue
        for edge in source.edges:
            for anchor_type, ident_type, anchor, value, where in _queries(table, source, edge, org, types):
                by_type.setdefault(ident_type, []).append(
                    (len(declared), anchor_type, ident_type, anchor, value, where))
                declared.append(_Declared(types.index(anchor_type), types.index(ident_type), edge.weight,
                                          edge.strength == "strong"))
    for ident_type, parts in by_type.items():
        if decl.nodes[ident_type].hub_degree is not None:       # identifiers, not records
            parts += _anchoring_parts(engine, decl, org, ident_type)
    if only is not None:
        by_type = {t: parts for t, parts in by_type.items() if len(only.get(t, ()))}
    fetched = _read_in_parallel(engine, list(by_type.values()), only)
    d, a, v = (np.concatenate(c) for c in zip(*fetched)) if fetched else \
        (np.empty(0, dtype=object),) * 3
    d = d.astype(np.int64)
    own = d != ITS_OWN_EDGES
    return d[own], a[own], v[own], declared, skipped


def _anchoring_parts(engine: Engine, decl: GraphDeclarations, org: str, ident_type: str) -> list:
    """For an identifier type that is also an anchor (a voiceprint, linked to the speaker the
    call engine matched it to), one row per identifier whose own edge leads to a shared node,
    counted among its anchors: a voiceprint of one customer's calls matched to the speaker of
    other voices is shared, by that customer and by its own link, and the chain customer –
    voice – speaker – voice – customer holds. The rows are dropped once counted."""
    parts = []
    for source in decl.sources:
        table = stored_table(engine, source.table) if source.anchor.node == ident_type else None
        for edge in source.edges if table is not None else ():
            anchor, value = table_column(table, source.anchor.column), table_column(table, edge.column)
            other = table.alias()
            shared = select(other.c[edge.column]).where(other.c.org == org).group_by(
                other.c[edge.column]).having(func.count() >= 2)
            parts.append((ITS_OWN_EDGES, f"{ident_type}:itself", ident_type, anchor, anchor,
                          [table.c.org == org, anchor.is_not(None), value.in_(shared)]))
    return parts


def _lookup_keys_table() -> Table:
    return Table("graph_lookup_keys", MetaData(), Column("node_type", String(16)),
                 Column("node_key", String(256)), prefixes=["TEMPORARY"])


def _read_in_parallel(engine: Engine, queries: list[list], only: dict | None) -> list[list[np.ndarray]]:
    """Each node type's (d, a, v) columns, read by READERS connections, each taking the next
    node type as it finishes one (the most sources first): the database works outside
    Python's lock, so a second core groups another node type. The results come back in the
    order of `queries` whoever read them, so node ids do not depend on timing. With `only`,
    each connection first loads the wanted keys into a temporary table."""
    pending: SimpleQueue[int] = SimpleQueue()
    for index in sorted(range(len(queries)), key=lambda i: len(queries[i]), reverse=True):
        pending.put(index)
    results: list = [None] * len(queries)

    def read() -> None:
        with engine.connect() as conn:
            keys = None
            if only is not None:
                keys = _lookup_keys_table()
                keys.create(conn)
                conn.execute(insert(keys), [{"node_type": t, "node_key": k}
                                            for t, wanted in only.items() for k in wanted])
            try:
                while (index := _next(pending)) is not None:
                    results[index] = _fetch_columns(conn, _shared_edges_query(queries[index], keys), 3)
            finally:
                if keys is not None:
                    keys.drop(conn)
                    conn.commit()

    with ThreadPoolExecutor(READERS) as pool:
        for reader in [pool.submit(read) for _ in range(min(READERS, len(queries)))]:
            reader.result()
    return results


def _next(pending: SimpleQueue) -> int | None:
    try:
        return pending.get_nowait()
    except Empty:
        return None


def _factorise(n_types: int, types_a: np.ndarray, keys_a: np.ndarray, types_v: np.ndarray,
               keys_v: np.ndarray):
    """Global node ids of both ends; the keys of each type; the type offsets."""
    ids_a, ids_v = np.empty(len(keys_a), dtype=np.int64), np.empty(len(keys_v), dtype=np.int64)
    keys, offsets = [], [0]
    for t in range(n_types):
        in_a, in_v = types_a == t, types_v == t
        codes, uniques = pd.factorize(np.concatenate([keys_a[in_a], keys_v[in_v]]))
        ids_a[in_a], ids_v[in_v] = codes[:in_a.sum()] + offsets[-1], codes[in_a.sum():] + offsets[-1]
        keys.append(np.asarray(uniques, dtype=object))
        offsets.append(offsets[-1] + len(uniques))
    return ids_a, ids_v, keys, np.asarray(offsets, dtype=np.int64)


def _dedupe(src, dst, weight, strong):
    """One edge per (anchor, identifier) pair: the strongest, then the heaviest, declaration."""
    order = np.lexsort((-weight, ~strong, dst, src))
    src, dst, weight, strong = src[order], dst[order], weight[order], strong[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    return src[first], dst[first], weight[first], strong[first]


def build_graph(engine: Engine, org: str, decl: GraphDeclarations | None = None,
                only: dict[str, list[str]] | None = None) -> tuple[EntityGraph, list[str]]:
    """The shared part of `org`'s entity graph — every edge to an identifier that two or more
    records share, hubs included — and the declared sources skipped for want of a table.
    An identifier only one record uses joins nothing and is left in the store. With `only`
    (node type → identifier keys), the part of the graph around those identifiers: all their
    edges, so that their degrees are the whole graph's."""
    decl = decl or default_declarations()
    d, anchor_keys, ident_keys, declared, skipped = _collect(engine, decl, org, only)
    types = list(decl.nodes)
    table = np.array([(x.anchor_type, x.ident_type, x.weight, x.strong) for x in declared],
                     dtype=np.float64).reshape(-1, 4)
    src, dst, keys, offsets = _factorise(len(types), table[d, 0].astype(int), anchor_keys,
                                         table[d, 1].astype(int), ident_keys)
    src, dst, weight, strong = _dedupe(src, dst, table[d, 2].astype(np.float32), table[d, 3] > 0)
    graph = EntityGraph(types, keys, offsets, src, dst, weight, strong)
    graph.degree = np.bincount(src, minlength=graph.n_nodes) + np.bincount(dst, minlength=graph.n_nodes)
    cut = np.array([decl.nodes[t].hub_degree or np.iinfo(np.int64).max for t in types])
    graph.hub = graph.degree > np.repeat(cut, np.diff(offsets))
    graph.reported = _reported(engine, decl, org, graph)
    return graph, skipped


def _reported(engine: Engine, decl: GraphDeclarations, org: str, graph: EntityGraph) -> np.ndarray:
    """Which nodes an intelligence source reports."""
    flags = np.zeros(graph.n_nodes, dtype=bool)
    with engine.connect() as conn:
        for rep in decl.reported:
            table = stored_table(engine, rep.table)
            if table is None:
                continue
            key_col, type_col = table_column(table, rep.column), table_column(table, rep.node_column)
            keys, kinds = _fetch_columns(conn, select(key_col, type_col).where(
                table.c.org == org, key_col.is_not(None)), 2)
            for t, name in enumerate(graph.types):
                wanted = keys[kinds == name]
                if len(wanted) and len(graph.keys[t]):
                    hit = pd.Index(graph.keys[t]).get_indexer(wanted)
                    flags[graph.offsets[t] + hit[hit >= 0]] = True
    return flags
