"""From a grouping of the graph's nodes to gang members, and stable gang ids.

A gang's members are its customers, the complaints of no known customer that joined it, and
the identifiers its records share; the complaints of its customers are added in SQL when the
gang is stored. Ids stay stable: each new gang takes the id of the stored gang it shares most
customers with (each stored id used once), so a gang that grows keeps its id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from qinglang.graph.build import EntityGraph
from qinglang.graph.communities import Grouping, linking_edges
from qinglang.store.tables_graph import MEMBER_TYPES

ID_PREFIX = "QG"


@dataclass
class Members:
    """One row per member: gang index, member type, key, role."""
    gang: np.ndarray
    member_type: np.ndarray
    key: np.ndarray
    role: np.ndarray


def customers_reached(graph: EntityGraph) -> np.ndarray:
    """For every node, how many customers its linking edges reach."""
    edges = linking_edges(graph)
    from_customer = graph.type_of(graph.src[edges]) == graph.type_code("customer")
    return np.bincount(graph.dst[edges][from_customer], minlength=graph.n_nodes)


def gang_members(graph: EntityGraph, grouping: Grouping, agent_min_customers: int) -> Members:
    nodes = np.flatnonzero(grouping.group >= 0)
    types = np.asarray(graph.types, dtype=object)[graph.type_of(nodes)]
    nodes, types = nodes[np.isin(types, MEMBER_TYPES)], types[np.isin(types, MEMBER_TYPES)]
    reach = customers_reached(graph)[nodes]
    role = np.where(types == "customer", "member",
                    np.where(types == "complaint", "unattributed",
                             np.where(reach >= agent_min_customers, "agent", "shared")))
    return Members(grouping.group[nodes], types, graph.key_of(nodes), role.astype(object))


def stable_ids(members: Members, n_gangs: int, old: pd.DataFrame, next_number: int) -> list[str]:
    """Gang ids for gangs 0..n_gangs-1. `old` has columns gang_id, member_key (customers of the
    stored gangs); unmatched gangs get new ids from `next_number` on. Ties and new ids go by
    each gang's first customer key, not by its index, so that a full rebuild and an incremental
    update of the same records give the same ids."""
    customer = members.member_type == "customer"
    new = pd.DataFrame({"gang": members.gang[customer], "member_key": members.key[customer]})
    first = new.groupby("gang").member_key.min().reindex(range(n_gangs), fill_value="")
    overlap = new.merge(old, on="member_key").groupby(["gang", "gang_id"]).size().rename("n").reset_index()
    overlap["first"] = first.to_numpy()[overlap.gang.to_numpy()] if len(overlap) else []
    overlap = overlap.sort_values(["n", "gang_id", "first"], ascending=[False, True, True])
    ids: list[str | None] = [None] * n_gangs
    taken = set()
    for gang, old_id in zip(overlap.gang, overlap.gang_id):
        if ids[gang] is None and old_id not in taken:
            ids[gang] = old_id
            taken.add(old_id)
    for gang in sorted(range(n_gangs), key=lambda g: first.iat[g]):
        if ids[gang] is None:
            ids[gang] = f"{ID_PREFIX}{next_number:06d}"
            next_number += 1
    return ids


def id_number(gang_id: str) -> int:
    return int(gang_id.removeprefix(ID_PREFIX)) if gang_id.startswith(ID_PREFIX) else 0
