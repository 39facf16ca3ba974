"""What an incremental gang update needs from the store: the records imported since the last
build, the nodes they touch, the stored components around them, and the build's memory
(`graph_components`, `graph_state`). Rows of the sources no import id dates (voice speakers,
post contacts, intelligence) are told new or changed by their hashes kept from the last build.

A new or changed record touches its anchors and every identifier it names. The update reads
the graph around the touched identifiers and the identifiers of the stored components that
hold a touched node — all their edges, so their degrees and hub cuts are the whole graph's —
and widens it while a node on one of its linking edges belongs to a stored component not yet
read. Then it is closed: a linking edge from a read node to an identifier outside is either
old (the identifier untouched, its degree unchanged), so that node's component was read and
holds the identifier; or new, and then its record is new and the identifier touched. The
components of the part read are therefore those of the whole graph, and only they are
regrouped and rewritten.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select

from qinglang.graph.build import EntityGraph, stored_table, table_column
from qinglang.graph.communities import Grouping, linking_edges
from qinglang.graph.schema import GraphDeclarations, Reported
from qinglang.store.repository import utcnow
from qinglang.store.tables import imports
from qinglang.store.tables_graph import graph_components, graph_state

CHUNK = 900                  # keys per IN list, under SQLite's bound-parameter limit

Nodes = dict[str, set[str]]  # node type → keys


@dataclass
class State:
    import_id: int
    declarations: str
    derived: bytes                       # UndatedRows.snapshot()


def seen_import(conn: Connection, org: str) -> int:
    """The last import whose records a build made now has seen: every import of `org` up to
    the first one still running (its later rows belong to the next update)."""
    running = conn.execute(select(func.min(imports.c.id)).where(
        imports.c.org == org, imports.c.finished_at.is_(None))).scalar()
    if running is not None:
        return running - 1
    return conn.execute(select(func.max(imports.c.id)).where(imports.c.org == org)).scalar() or 0


@dataclass
class UndatedRows:
    """The rows of the sources no import id dates — tables other engines derive (voice
    speakers, post contacts) and the reported identifiers — each as a hash of the row and of
    its anchor. Kept from one build to the next, they tell which rows are new or changed."""
    row_hash: np.ndarray                 # uint64 per row
    anchor_hash: np.ndarray              # uint64 per row
    parts: list[tuple[object, list[str], list]]   # (source or reported, columns, rows)

    def snapshot(self) -> bytes:
        return np.stack([self.row_hash, self.anchor_hash]).tobytes()

    def changed_nodes(self, snapshot: bytes, node_types: set[str]) -> Nodes | None:
        """The nodes of the rows added since `snapshot`, and of every row whose anchor lost or
        changed a row; None when an anchor is gone altogether (its nodes are unknown)."""
        old = np.frombuffer(snapshot, dtype=np.uint64).reshape(2, -1)
        dropped = old[1][~np.isin(old[0], self.row_hash)]
        if not np.isin(dropped, self.anchor_hash).all():
            return None
        wanted = ~np.isin(self.row_hash, old[0]) | np.isin(self.anchor_hash, dropped)
        return self._nodes(np.flatnonzero(wanted), node_types)

    def _nodes(self, indices: np.ndarray, node_types: set[str]) -> Nodes:
        touched: Nodes = defaultdict(set)
        start = 0
        for origin, columns, rows in self.parts:
            mine = indices[(indices >= start) & (indices < start + len(rows))] - start
            chosen = [rows[i] for i in mine]
            if isinstance(origin, Reported):
                for key, kind in chosen:
                    touched[kind].add(key)
            else:
                _add_row_nodes(touched, origin, columns, chosen, node_types)
            start += len(rows)
        return {t: keys for t, keys in touched.items() if keys}


def undated_rows(engine: Engine, decl: GraphDeclarations, org: str) -> UndatedRows:
    """Every row of the undated sources, read whole (they are narrow), with its hashes."""
    row_hashes, anchor_hashes, parts = [], [], []
    with engine.connect() as conn:
        for origin, name, columns, anchor_columns in _undated_sources(engine, decl):
            table = stored_table(engine, name)
            # the driver's own tuples: pandas probes each SQLAlchemy Row for attributes,
            # which took 3 of the 4 s of 666,000 voice speakers
            rows = conn.execute(select(*[table_column(table, c) for c in columns]).where(
                table.c.org == org)).cursor.fetchall()
            frame = pd.DataFrame(rows, columns=columns, dtype=object).assign(_table=name)
            row_hashes.append(pd.util.hash_pandas_object(frame, index=False).to_numpy())
            anchor_hashes.append(pd.util.hash_pandas_object(
                frame[["_table", *anchor_columns]], index=False).to_numpy())
            parts.append((origin, columns, rows))
    empty = np.empty(0, dtype=np.uint64)
    return UndatedRows(np.concatenate(row_hashes) if row_hashes else empty,
                       np.concatenate(anchor_hashes) if anchor_hashes else empty, parts)


def _undated_sources(engine: Engine, decl: GraphDeclarations):
    """(source or reported, table, columns read, anchor columns) of each undated source."""
    for source in decl.sources:
        table = stored_table(engine, source.table)
        if table is not None and "import_id" not in table.c:
            anchor = source.anchor
            yield source, source.table, _source_columns(source), \
                [anchor.column] + ([anchor.fallback.column] if anchor.fallback else [])
    for rep in decl.reported:
        if stored_table(engine, rep.table) is not None:
            columns = [rep.column, rep.node_column]
            yield rep, rep.table, columns, columns


def _source_columns(source) -> list[str]:
    anchor = source.anchor
    columns = [anchor.column] + ([anchor.fallback.column] if anchor.fallback else [])
    for edge in source.edges:
        columns += [edge.column] + ([edge.node_column] if edge.node_column else [])
    return list(dict.fromkeys(columns))


def load_state(conn: Connection, org: str) -> State | None:
    row = conn.execute(select(graph_state).where(graph_state.c.org == org)).first()
    return State(row.import_id, row.declarations, row.derived) if row else None


def save_state(conn: Connection, org: str, state: State) -> None:
    conn.execute(delete(graph_state).where(graph_state.c.org == org))
    conn.execute(insert(graph_state).values(org=org, import_id=state.import_id,
                                            declarations=state.declarations,
                                            derived=state.derived, built_at=utcnow()))


def touched_nodes(engine: Engine, decl: GraphDeclarations, org: str, since: int) -> Nodes:
    """The anchors and identifiers of the records imported after import `since`."""
    touched: Nodes = defaultdict(set)
    with engine.connect() as conn:
        for source in decl.sources:
            table = stored_table(engine, source.table)
            if table is None or "import_id" not in table.c:
                continue
            columns = _source_columns(source)
            rows = conn.execute(select(*[table_column(table, c) for c in columns]).where(
                table.c.org == org, table.c.import_id > since)).all()
            _add_row_nodes(touched, source, columns, rows, set(decl.nodes))
    return {t: keys for t, keys in touched.items() if keys}


def _add_row_nodes(touched: Nodes, source, columns: list[str], rows, node_types: set[str]) -> None:
    index = {c: i for i, c in enumerate(columns)}
    anchor = source.anchor
    pairs = [(anchor.node, anchor.column)] + \
        ([(anchor.fallback.node, anchor.fallback.column)] if anchor.fallback else [])
    for row in rows:
        for node, column in pairs:
            if row[index[column]]:
                touched[node].add(row[index[column]])
        for edge in source.edges:
            value = row[index[edge.column]]
            kind = edge.node or row[index[edge.node_column]]
            if value and kind in node_types:
                touched[kind].add(value)


def _chunks(keys) -> list:
    keys = list(keys)
    return [keys[i:i + CHUNK] for i in range(0, len(keys), CHUNK)]


def components_of(conn: Connection, org: str, nodes: Nodes) -> set[int]:
    """The stored components holding any of `nodes`."""
    found: set[int] = set()
    for kind, keys in nodes.items():
        for chunk in _chunks(keys):
            found.update(conn.execute(select(graph_components.c.component).where(
                graph_components.c.org == org, graph_components.c.node_type == kind,
                graph_components.c.node_key.in_(chunk)).distinct()).scalars())
    return found


def component_nodes(conn: Connection, org: str, components: set[int]) -> Nodes:
    """Every stored node of the given components."""
    nodes: Nodes = defaultdict(set)
    for chunk in _chunks(sorted(components)):
        for kind, key in conn.execute(select(graph_components.c.node_type, graph_components.c.node_key).where(
                graph_components.c.org == org, graph_components.c.component.in_(chunk))):
            nodes[kind].add(key)
    return nodes


def stored_nodes(conn: Connection, org: str) -> int:
    return conn.execute(select(func.count()).where(graph_components.c.org == org)).scalar()


def linked_nodes(graph: EntityGraph) -> Nodes:
    """The nodes on a linking edge of the graph, by type: an anchor that shares a touched
    identifier only through a weak edge or a hub keeps its component."""
    edges = linking_edges(graph)
    nodes = np.unique(np.concatenate([graph.src[edges], graph.dst[edges]]))
    types = np.asarray(graph.types, dtype=object)[graph.type_of(nodes)]
    found: Nodes = defaultdict(set)
    for kind, key in zip(types, graph.key_of(nodes)):
        found[kind].add(key)
    return found


def replace_components(conn: Connection, org: str, graph: EntityGraph, grouping: Grouping,
                       old: set[int] | None) -> None:
    """Store the components of the graph's linked nodes in place of the components `old`
    (all of them when None), numbered after the highest stored one."""
    if old is None:
        conn.execute(delete(graph_components).where(graph_components.c.org == org))
        base = 0
    else:
        for chunk in _chunks(sorted(old)):
            conn.execute(delete(graph_components).where(
                graph_components.c.org == org, graph_components.c.component.in_(chunk)))
        base = (conn.execute(select(func.max(graph_components.c.component)).where(
            graph_components.c.org == org)).scalar() or 0) + 1
    nodes = np.flatnonzero(grouping.linked)
    types = np.asarray(graph.types, dtype=object)[graph.type_of(nodes)]
    rows = [{"org": org, "node_type": t, "node_key": k, "component": int(c)}
            for t, k, c in zip(types, graph.key_of(nodes), grouping.component[nodes] + base)]
    for i in range(0, len(rows), 20000):
        conn.execute(insert(graph_components), rows[i:i + 20000])
