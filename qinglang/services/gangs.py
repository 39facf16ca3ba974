"""Gangs and agents: building them from the entity graph, and reading them back (lists,
details, agent profiles, neighbourhoods, exports). Identifiers are masked unless asked."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, and_, delete, func, insert, select

from qinglang.errors import InputError
from qinglang.graph.build import EntityGraph, build_graph
from qinglang.graph.communities import Grouping, find_groups
from qinglang.graph.facts import add_customer_complaints, gather_facts
from qinglang.graph.identifiers import label, parse_identifier
from qinglang.graph.incremental import (
    CHUNK, Nodes, State, component_nodes, components_of, linked_nodes, load_state,
    replace_components, save_state, seen_import, stored_nodes, touched_nodes, undated_rows,
)
from qinglang.graph.members import Members, gang_members as members_of, id_number, stable_ids
from qinglang.graph.neighbourhood import Neighbourhood, neighbourhood as walk
from qinglang.graph.schema import (
    GangSettings, GraphDeclarations, default_declarations, default_gang_settings,
)
from qinglang.graph.scoring import GangFacts, gang_kind, gang_score, score_parts
from qinglang.store.repository import utcnow
from qinglang.store.tables import record_tables
from qinglang.store.tables_graph import gang_members, gangs

GANG_EXPORT_COLUMNS = ["gang_id", "kind", "customers", "complaint_ids", "identifiers", "score"]
IDENTIFIER_TYPES = ("phone", "wechat", "qq", "voiceprint", "address", "domain", "company",
                    "email", "account")
INSERT_CHUNK = 20000


@dataclass
class GangSummary:
    gangs: int
    customers: int
    complaints: int
    kinds: dict[str, int]
    nodes: int
    edges: int
    hubs: int
    split_components: int
    skipped_sources: list[str]
    seconds: dict[str, float] = field(default_factory=dict)
    mode: str = "full"               # or "incremental": the nodes, edges, hubs are its part
    touched: int = 0                 # nodes the records imported since the last build touch


@dataclass
class _Scope:
    """The part of the graph an incremental update regroups, and the graph read around it."""
    components: set[int]             # stored components it replaces
    nodes: Nodes                     # their nodes
    graph: EntityGraph
    skipped: list[str]               # declared sources not in the store yet
    touched: int


def refresh_gangs(engine: Engine, org: str, decl: GraphDeclarations | None = None,
                  settings: GangSettings | None = None, full: bool = False) -> GangSummary:
    """Bring the gangs of `org` up to date with the store, keeping the ids of gangs that persist.

    After an import only the components its records touch are regrouped (graph/incremental.py);
    the whole graph is rebuilt the first time, when asked (`full`), when the declarations or the
    gang settings changed, when a derived source lost the row of an anchor, or when the touched
    part is large.
    """
    decl, settings = decl or default_declarations(), settings or default_gang_settings()
    clock = {"start": time.perf_counter()}
    with engine.connect() as conn:
        stored, seen = load_state(conn, org), seen_import(conn, org)
    undated = undated_rows(engine, decl, org)
    state = State(seen, f"{decl.version}/{settings.version}", undated.snapshot())
    scope = None
    if not full and stored and stored.declarations == state.declarations:
        changed = undated.changed_nodes(stored.derived, set(decl.nodes))
        if changed is not None:
            scope = _affected(engine, org, decl, settings, _merge(
                touched_nodes(engine, decl, org, stored.import_id), changed))
    graph, skipped = (scope.graph, scope.skipped) if scope else build_graph(engine, org, decl)
    clock["graph"] = time.perf_counter()
    grouping = find_groups(graph, settings)
    clock["groups"] = time.perf_counter()
    members = members_of(graph, grouping, settings.agent_min_customers)
    with engine.begin() as conn:
        replaced = _gangs_in(conn, org, scope) if scope else None
        ids = _assign_ids(conn, org, members, grouping.n_groups, replaced)
        _delete_gangs(conn, org, replaced)
        _insert_members(conn, org, members, ids)
        add_customer_complaints(conn, org, ids if scope else None)
        facts = gather_facts(conn, org, ids if scope else None)
        rows = _gang_rows(org, ids, members, facts, _reported_per_gang(graph, grouping), settings, decl)
        for i in range(0, len(rows), INSERT_CHUNK):
            conn.execute(insert(gangs), rows[i:i + INSERT_CHUNK])
        replace_components(conn, org, graph, grouping, scope.components if scope else None)
        save_state(conn, org, state)
        totals = _totals(conn, org)
    clock["stored"] = time.perf_counter()
    return GangSummary(
        **totals, nodes=graph.n_nodes, edges=len(graph.src), hubs=int(graph.hub.sum()),
        split_components=grouping.split_components, skipped_sources=skipped,
        seconds={"graph": clock["graph"] - clock["start"], "gangs": clock["groups"] - clock["graph"],
                 "store": clock["stored"] - clock["groups"]},
        mode="incremental" if scope else "full", touched=scope.touched if scope else 0)


def _affected(engine: Engine, org: str, decl: GraphDeclarations, settings: GangSettings,
              touched: Nodes) -> _Scope | None:
    """The part of the graph that new and changed records, naming the `touched` nodes, can
    change, read from the store; None when the stored components they touch are too large a
    share of the graph to be worth reading piecemeal. The graph around the touched identifiers and the identifiers of
    their components is read; a node it links whose stored component was not among them
    widens the part and it is read again (graph/incremental.py says why that closes it)."""
    with engine.connect() as conn:
        components = components_of(conn, org, touched)
        inside = component_nodes(conn, org, components)
        total = stored_nodes(conn, org)
    if sum(map(len, inside.values())) > settings.incremental_max_share * max(total, 1):
        return None
    while True:
        graph, skipped = build_graph(engine, org, decl, _merge(touched, inside))
        with engine.connect() as conn:
            wider = components_of(conn, org, linked_nodes(graph)) - components
            if not wider:
                return _Scope(components, inside, graph, skipped, sum(map(len, touched.values())))
            components |= wider
            inside = _merge(inside, component_nodes(conn, org, wider))


def _merge(*groups: Nodes) -> Nodes:
    merged: Nodes = {}
    for group in groups:
        for kind, keys in group.items():
            merged.setdefault(kind, set()).update(keys)
    return merged


def _gangs_in(conn, org: str, scope: _Scope) -> list[str]:
    """The stored gangs whose customers lie in the part of the graph being regrouped (a gang
    never reaches beyond its component)."""
    found: set[str] = set()
    customers = sorted(scope.nodes.get("customer", ()))
    for i in range(0, len(customers), CHUNK):
        found.update(conn.execute(select(gang_members.c.gang_id).where(
            gang_members.c.org == org, gang_members.c.member_type == "customer",
            gang_members.c.member_key.in_(customers[i:i + CHUNK]))).scalars())
    return sorted(found)


def _delete_gangs(conn, org: str, gang_ids: list[str] | None) -> None:
    """The stored gangs being replaced: all of them, or the listed ones."""
    for table in (gang_members, gangs):
        if gang_ids is None:
            conn.execute(delete(table).where(table.c.org == org))
        for i in range(0, len(gang_ids or ()), CHUNK):
            conn.execute(delete(table).where(table.c.org == org,
                                             table.c.gang_id.in_(gang_ids[i:i + CHUNK])))


def _totals(conn, org: str) -> dict:
    """Gangs, their customers and complaints and their kinds, as stored."""
    kinds = dict(conn.execute(select(gangs.c.kind, func.count()).where(gangs.c.org == org).group_by(
        gangs.c.kind).order_by(gangs.c.kind)).all())
    complaints = conn.execute(select(func.coalesce(func.sum(gangs.c.n_complaints), 0)).where(
        gangs.c.org == org)).scalar()
    customers = conn.execute(select(func.count()).where(
        gang_members.c.org == org, gang_members.c.member_type == "customer")).scalar()
    return {"gangs": sum(kinds.values()), "customers": customers, "complaints": int(complaints),
            "kinds": kinds}


def _assign_ids(conn, org: str, members: Members, n_gangs: int, replaced: list[str] | None) -> list[str]:
    """Ids for the new gangs, matched against the stored gangs they replace (all of them, or
    the listed ones); new numbers continue after the highest stored id."""
    stmt = select(gang_members.c.gang_id, gang_members.c.member_key).where(
        gang_members.c.org == org, gang_members.c.member_type == "customer")
    old = pd.DataFrame(
        conn.execute(stmt).all() if replaced is None else
        [row for i in range(0, len(replaced), CHUNK)
         for row in conn.execute(stmt.where(gang_members.c.gang_id.in_(replaced[i:i + CHUNK])))],
        columns=["gang_id", "member_key"])
    stored = conn.execute(select(gangs.c.gang_id).where(gangs.c.org == org)).scalars().all()
    next_number = max((id_number(g) for g in stored), default=0) + 1
    return stable_ids(members, n_gangs, old, next_number)


def _insert_members(conn, org: str, members: Members, ids: list[str]) -> None:
    gang_ids = pd.Series(ids, dtype=object).to_numpy()[members.gang] if ids else []
    rows = [{"org": org, "gang_id": g, "member_type": t, "member_key": k, "role": r}
            for g, t, k, r in zip(gang_ids, members.member_type, members.key, members.role)]
    for i in range(0, len(rows), INSERT_CHUNK):
        conn.execute(insert(gang_members), rows[i:i + INSERT_CHUNK])


def _reported_per_gang(graph: EntityGraph, grouping: Grouping) -> Counter:
    reported = grouping.group[graph.reported]
    return Counter(reported[reported >= 0].tolist())


def _gang_rows(org, ids, members: Members, facts: dict[str, GangFacts], reported: Counter,
               settings: GangSettings, decl: GraphDeclarations) -> list[dict]:
    frame = pd.DataFrame({"gang": members.gang, "type": members.member_type, "key": members.key})
    customers = frame[frame.type == "customer"].groupby("gang").size()
    shared = frame[frame.type.isin(IDENTIFIER_TYPES)]
    identifiers = (shared.type + ":" + shared.key).groupby(shared.gang).agg(sorted)
    now, rows = utcnow(), []
    for gang, gang_id in enumerate(ids):
        f = facts.get(gang_id, GangFacts())
        f.customers, f.reported = int(customers.get(gang, 0)), reported.get(gang, 0)
        rows.append({
            "org": org, "gang_id": gang_id, "kind": gang_kind(f, settings),
            "score": gang_score(f, settings), "n_customers": f.customers,
            "n_complaints": f.complaints, "first_seen": f.first_seen, "last_seen": f.last_seen,
            "channels": dict(f.channels.most_common()), "regions": dict(f.regions.most_common()),
            "rules": dict(sorted(f.rules.items())),
            "identifiers": identifiers.get(gang, []), "updated_at": now})
    return rows


def gang_detection(engine: Engine, org: str) -> dict[str, int]:
    """Detector for `qinglang analyze`: gangs rebuilt, with their kinds."""
    summary = refresh_gangs(engine, org)
    findings = {"gangs": summary.gangs, "customers in gangs": summary.customers,
                "complaints in gangs": summary.complaints, "hub identifiers cut": summary.hubs}
    findings.update({f"kind {k}": v for k, v in sorted(summary.kinds.items())})
    return findings


# reading ---------------------------------------------------------------------------------
def _masked_identifiers(values: list[str], decl: GraphDeclarations, unmasked: bool) -> list[str]:
    out = []
    for value in values:
        kind, _, key = value.partition(":")
        node = decl.nodes.get(kind)
        out.append(label(kind, key, bool(node and node.personal), unmasked))
    return out


def list_gangs(engine: Engine, org: str, limit: int | None = None) -> list[dict]:
    """Gangs by score, highest first."""
    stmt = select(gangs).where(gangs.c.org == org).order_by(
        gangs.c.score.desc(), gangs.c.n_customers.desc(), gangs.c.gang_id).limit(limit)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(stmt)]


def gang_detail(engine: Engine, org: str, gang_id: str, unmasked: bool = False) -> dict:
    """One gang with its members by type, its score explained and its identifiers (masked)."""
    decl, settings = default_declarations(), default_gang_settings()
    with engine.connect() as conn:
        row = conn.execute(select(gangs).where(gangs.c.org == org, gangs.c.gang_id == gang_id)).first()
        if row is None:
            raise InputError(f"no gang {gang_id!r}")
        members = conn.execute(select(gang_members.c.member_type, gang_members.c.member_key,
                                      gang_members.c.role).where(
            gang_members.c.org == org, gang_members.c.gang_id == gang_id).order_by(
            gang_members.c.member_type, gang_members.c.member_key)).all()
    gang = dict(row._mapping)
    gang["identifiers"] = _masked_identifiers(gang["identifiers"], decl, unmasked)
    gang["members"] = {}
    for kind, key, role in members:
        shown = key if kind in ("customer", "complaint") else \
            _masked_identifiers([f"{kind}:{key}"], decl, unmasked)[0].partition(":")[2]
        gang["members"].setdefault(kind, []).append({"key": shown, "role": role})
    facts = GangFacts(customers=gang["n_customers"], complaints=gang["n_complaints"],
                      channels=Counter(gang["channels"]), regions=Counter(gang["regions"]),
                      rules=Counter(gang["rules"]), first_seen=gang["first_seen"],
                      last_seen=gang["last_seen"])
    gang["score_parts"] = score_parts(facts, settings)
    return gang


def gang_export_rows(engine: Engine, org: str, unmasked: bool = False):
    """formats.md "gangs": one row per gang, identifiers masked by default."""
    decl = default_declarations()
    with engine.connect() as conn:
        complaint_ids: dict[str, list[str]] = {}
        for gang_id, key in conn.execute(select(gang_members.c.gang_id, gang_members.c.member_key).where(
                gang_members.c.org == org, gang_members.c.member_type == "complaint").order_by(
                gang_members.c.gang_id, gang_members.c.member_key)):
            complaint_ids.setdefault(gang_id, []).append(key)
        for row in conn.execute(select(gangs).where(gangs.c.org == org).order_by(gangs.c.gang_id)):
            yield {"gang_id": row.gang_id, "kind": row.kind, "customers": row.n_customers,
                   "complaint_ids": ";".join(complaint_ids.get(row.gang_id, [])),
                   "identifiers": ";".join(_masked_identifiers(row.identifiers, decl, unmasked)),
                   "score": row.score}


def agent_profiles(engine: Engine, org: str, gang_id: str | None = None, limit: int = 20,
                   unmasked: bool = False) -> list[dict]:
    """Identifiers that act for several customers (role `agent`), from the highest-scoring
    gangs down: customers, channels, regions, time line, linked posts and companies, demands."""
    decl = default_declarations()
    stmt = select(gang_members.c.gang_id, gang_members.c.member_type, gang_members.c.member_key).join(
        gangs, and_(gangs.c.org == gang_members.c.org, gangs.c.gang_id == gang_members.c.gang_id)).where(
        gang_members.c.org == org, gang_members.c.role == "agent").order_by(
        gangs.c.score.desc(), gang_members.c.gang_id, gang_members.c.member_type,
        gang_members.c.member_key).limit(limit)
    if gang_id:
        stmt = stmt.where(gang_members.c.gang_id == gang_id)
    with engine.connect() as conn:
        agents = conn.execute(stmt).all()
    return [_profile(engine, org, decl, gid, kind, key, unmasked) for gid, kind, key in agents]


def _profile(engine: Engine, org: str, decl: GraphDeclarations, gang_id: str, kind: str, key: str,
             unmasked: bool) -> dict:
    near = walk(engine, org, decl, (kind, key), 1)
    linked = {t: sorted(k for (tt, k) in near.hops if tt == t) for t in ("customer", "post", "company")}
    complaints, customers = record_tables["complaints"], record_tables["customers"]
    with engine.connect() as conn:
        rows = conn.execute(select(complaints.c.channel, complaints.c.received_at,
                                   complaints.c.demands).where(
            complaints.c.org == org, complaints.c.customer_id.in_(linked["customer"]))).all()
        regions = Counter(r for (r,) in conn.execute(select(
            func.coalesce(customers.c.address_province, customers.c.region)).where(
            customers.c.org == org, customers.c.customer_id.in_(linked["customer"]))) if r)
    days = sorted(r.received_at for r in rows if r.received_at)
    months = Counter(d.strftime("%Y-%m") for d in days)
    demands = Counter(d for r in rows for d in (r.demands or []))
    return {"gang_id": gang_id, "identifier": _masked_identifiers([f"{kind}:{key}"], decl, unmasked)[0],
            "customers": len(linked["customer"]), "complaints": len(rows),
            "channels": dict(Counter(r.channel for r in rows).most_common()),
            "regions": dict(regions.most_common()), "first_seen": days[0] if days else None,
            "last_seen": days[-1] if days else None, "timeline": dict(sorted(months.items())),
            "posts": linked["post"], "companies": linked["company"],
            "demands": dict(demands.most_common(8))}


def who(engine: Engine, org: str, identifier: str, hops: int = 2, unmasked: bool = False) -> dict:
    """The k-hop neighbourhood of a phone, handle, voiceprint or customer, as nodes and links."""
    decl = default_declarations()
    centre = parse_identifier(identifier, list(decl.nodes))
    near = walk(engine, org, decl, centre, hops)
    return neighbourhood_view(near, decl, unmasked)


def customers_behind(engine: Engine, org: str, identifier: str) -> list[str]:
    """The customers an identifier acts for — its agent profile's customers, one hop away."""
    decl = default_declarations()
    near = walk(engine, org, decl, parse_identifier(identifier, list(decl.nodes)), 1)
    return sorted(key for kind, key in near.hops if kind == "customer")


def neighbourhood_view(near: Neighbourhood, decl: GraphDeclarations, unmasked: bool) -> dict:
    def name(node):
        kind, key = node
        return label(kind, key, decl.nodes[kind].personal, unmasked)

    nodes = [{"id": name(n), "type": n[0], "hop": hop, "hub": n in near.hubs,
              "gang_id": near.gangs.get(n, "")}
             for n, hop in sorted(near.hops.items(), key=lambda item: (item[1], item[0]))]
    links = sorted({(name(a), name(b), s) for a, b, s in near.edges
                    if a in near.hops and b in near.hops})
    return {"centre": name(near.centre), "nodes": nodes,
            "links": [{"source": a, "target": b, "strength": s} for a, b, s in links]}


def export_graph(engine: Engine, org: str, out, fmt: str, unmasked: bool = False) -> dict[str, int]:
    """The linked part of the entity graph (every record and identifier on a strong link to a
    shared identifier, hubs included and flagged) with gang ids, as GraphML or JSON."""
    from qinglang.graph.export import write_graph

    decl, settings = default_declarations(), default_gang_settings()
    graph, _ = build_graph(engine, org, decl)
    grouping = find_groups(graph, settings)
    with engine.connect() as conn:
        stored = conn.execute(select(gang_members.c.member_type, gang_members.c.member_key,
                                     gang_members.c.gang_id).where(
            gang_members.c.org == org, gang_members.c.member_type == "customer")).all()
    return write_graph(graph, grouping, {key: gid for _, key, gid in stored}, decl, out, fmt, unmasked)
