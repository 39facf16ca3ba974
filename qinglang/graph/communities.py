"""Gangs from the entity graph: connected components over strong links with the hubs cut,
then Leiden (CPM objective) inside the components that are still too big to be one gang.

Modularity-based community detection merges small planted gangs into huge communities (its
resolution limit); CPM asks each community to be denser than a fixed fraction of all possible
links, whatever the graph's size, so small dense gangs survive. It runs only where needed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from qinglang.graph.build import EntityGraph
from qinglang.graph.schema import GangSettings

LEIDEN_SEED = 20261121


@dataclass
class Grouping:
    """`group[node]` is the index of the gang a node belongs to, or -1; `component[node]` its
    connected component over the linking edges (before Leiden), for the nodes `linked` by one."""
    group: np.ndarray
    n_groups: int
    split_components: int        # components Leiden was run on
    component: np.ndarray
    linked: np.ndarray


def linking_edges(graph: EntityGraph) -> np.ndarray:
    """Indices of the edges that can join records into a gang: strong, touching no hub, and
    to an identifier shared by at least two records (a leaf joins nothing)."""
    return np.flatnonzero(graph.strong & ~graph.hub[graph.src] & ~graph.hub[graph.dst]
                          & (graph.degree[graph.dst] >= 2))


def customers_per_label(graph: EntityGraph, labels: np.ndarray, n_labels: int) -> np.ndarray:
    customers = graph.nodes_of_type("customer")
    return np.bincount(labels[customers], minlength=n_labels)


def find_groups(graph: EntityGraph, settings: GangSettings) -> Grouping:
    edges = linking_edges(graph)
    src, dst = graph.src[edges], graph.dst[edges]
    n = graph.n_nodes
    matrix = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    n_comp, components = connected_components(matrix, directed=False)
    sizes = customers_per_label(graph, components, n_comp)
    too_big = np.flatnonzero(sizes > settings.max_component_customers)
    labels = components.astype(np.int64)
    next_label = n_comp
    for component in too_big:
        next_label = _split(graph, edges, labels, component, next_label, settings)
    linked = np.zeros(n, dtype=bool)
    linked[src], linked[dst] = True, True
    group, n_groups = _keep_gangs(graph, labels, next_label, settings)
    return Grouping(group, n_groups, len(too_big), components.astype(np.int64), linked)


def _split(graph: EntityGraph, edges: np.ndarray, labels: np.ndarray, component: int,
           next_label: int, settings: GangSettings) -> int:
    """Relabel one component's nodes with its Leiden communities; returns the next free label.
    Its nodes and edges are put in the order of their (type, key), not of their ids in this
    graph, so that the part of the graph an incremental update reads splits as the whole does."""
    nodes = np.flatnonzero(labels == component)
    nodes = nodes[np.lexsort((graph.key_of(nodes), graph.type_of(nodes)))]
    rank = np.empty(graph.n_nodes, dtype=np.int64)
    rank[nodes] = np.arange(len(nodes))
    inside = edges[labels[graph.src[edges]] == component]
    local = np.column_stack([rank[graph.src[inside]], rank[graph.dst[inside]]])
    order = np.lexsort((local[:, 1], local[:, 0]))
    local, inside = local[order], inside[order]
    sub = ig.Graph(n=len(nodes), edges=local.tolist())
    ig.set_random_number_generator(random.Random(LEIDEN_SEED))
    try:
        parts = sub.community_leiden(objective_function="CPM", weights=graph.weight[inside].tolist(),
                                     resolution=settings.leiden_resolution, n_iterations=-1)
    finally:
        ig.set_random_number_generator(random)
    labels[nodes] = next_label + np.asarray(parts.membership, dtype=np.int64)
    return next_label + len(parts)


def _keep_gangs(graph: EntityGraph, labels: np.ndarray, n_labels: int,
                settings: GangSettings) -> tuple[np.ndarray, int]:
    """Groups with enough customers become gangs, numbered 0.. in label order."""
    sizes = customers_per_label(graph, labels, n_labels)
    keep = sizes >= settings.min_customers
    renumber = np.full(n_labels, -1, dtype=np.int64)
    renumber[keep] = np.arange(int(keep.sum()))
    return renumber[labels], int(keep.sum())
