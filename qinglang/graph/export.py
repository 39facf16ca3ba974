"""The linked part of the entity graph for visual tools (Gephi, Cytoscape, yEd; d3 for JSON):
every edge to an identifier shared by two or more records, hubs left out, each node with its
type, its gang and whether intelligence reports it. Personal keys are masked by default."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import orjson

from qinglang.errors import InputError
from qinglang.graph.build import EntityGraph
from qinglang.graph.communities import Grouping
from qinglang.graph.identifiers import label
from qinglang.graph.schema import GraphDeclarations

FORMATS = ("graphml", "json")


def _shared_edges(graph: EntityGraph) -> np.ndarray:
    return np.flatnonzero((graph.degree[graph.dst] >= 2) & ~graph.hub[graph.dst] & ~graph.hub[graph.src])


def _gang_names(graph: EntityGraph, grouping: Grouping, customer_gang: dict[str, str]) -> dict[int, str]:
    """Stored gang id of each group, through the group's customers."""
    customers = graph.nodes_of_type("customer")
    keys = graph.keys[graph.type_code("customer")]
    names: dict[int, str] = {}
    for node, key in zip(customers[grouping.group[customers] >= 0], keys[grouping.group[customers] >= 0]):
        names.setdefault(int(grouping.group[node]), customer_gang.get(key, ""))
    return names


def write_graph(graph: EntityGraph, grouping: Grouping, customer_gang: dict[str, str],
                decl: GraphDeclarations, out: Path, fmt: str, unmasked: bool) -> dict[str, int]:
    if fmt not in FORMATS:
        raise InputError(f"unknown graph format {fmt!r}; one of {', '.join(FORMATS)}")
    edges = _shared_edges(graph)
    nodes = np.unique(np.concatenate([graph.src[edges], graph.dst[edges]]))
    gang_names = _gang_names(graph, grouping, customer_gang)
    types = graph.type_of(nodes)
    node_rows = []
    for node, t in zip(nodes.tolist(), types.tolist()):
        kind = graph.types[t]
        node_rows.append({"id": label(kind, graph.keys[t][node - graph.offsets[t]],
                                      decl.nodes[kind].personal, unmasked),
                          "type": kind, "gang_id": gang_names.get(int(grouping.group[node]), ""),
                          "reported": bool(graph.reported[node])})
    index = dict(zip(nodes.tolist(), range(len(nodes))))
    links = [{"source": index[s], "target": index[d], "weight": float(w),
              "strength": "strong" if st else "weak"}
             for s, d, w, st in zip(graph.src[edges].tolist(), graph.dst[edges].tolist(),
                                    graph.weight[edges].tolist(), graph.strong[edges].tolist())]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    (_write_graphml if fmt == "graphml" else _write_json)(out, node_rows, links)
    return {"nodes": len(node_rows), "links": len(links)}


def _write_json(out: Path, nodes: list[dict], links: list[dict]) -> None:
    for link in links:
        link["source"], link["target"] = nodes[link["source"]]["id"], nodes[link["target"]]["id"]
    out.write_bytes(orjson.dumps({"directed": False, "nodes": nodes, "links": links}))


_KEYS = (("label", "node", "string"), ("type", "node", "string"), ("gang_id", "node", "string"),
         ("reported", "node", "boolean"),
         ("weight", "edge", "double"), ("strength", "edge", "string"))


def _write_graphml(out: Path, nodes: list[dict], links: list[dict]) -> None:
    with out.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
        for name, domain, kind in _KEYS:
            f.write(f'  <key id="{name}" for="{domain}" attr.name="{name}" attr.type="{kind}"/>\n')
        f.write('  <graph id="qinglang" edgedefault="undirected">\n')
        for i, node in enumerate(nodes):
            f.write(f'    <node id="n{i}"><data key="type">{node["type"]}</data>'
                    f'<data key="gang_id">{node["gang_id"]}</data>'
                    f'<data key="reported">{str(node["reported"]).lower()}</data>'
                    f'<data key="label">{_text(node["id"])}</data></node>\n')
        for link in links:
            f.write(f'    <edge source="n{link["source"]}" target="n{link["target"]}">'
                    f'<data key="weight">{link["weight"]:g}</data>'
                    f'<data key="strength">{link["strength"]}</data></edge>\n')
        f.write("  </graph>\n</graphml>\n")


def _text(value: str) -> str:
    return quoteattr(value)[1:-1]
