"""The gang's structure as a picture: the shared identifiers in an inner ring, the customers who
used them in an outer ring, a line for each use. The layout is a pure function of the case's
evidence (sorted, no randomness), so the same case draws the same picture in the HTML (SVG)
and in the PDF (drawn with the same coordinates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

SIZE = 1000
CENTER = SIZE / 2
INNER, OUTER = 230, 400
MAX_IDENTIFIERS, MAX_CUSTOMERS = 24, 60
KIND_COLOURS = {
    "phone": "#c0392b", "wechat": "#27ae60", "qq": "#2471a3", "voiceprint": "#8e44ad",
    "email": "#d35400", "address": "#795548", "domain": "#16a085", "company": "#566573",
    "account": "#b7950b",
}
CUSTOMER_COLOUR = "#5dade2"
KIND_LABELS_ZH = {"phone": "电话", "wechat": "微信", "qq": "QQ", "voiceprint": "声纹",
                  "email": "邮箱", "address": "地址", "domain": "域名", "company": "公司",
                  "account": "账号"}


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    x: float
    y: float
    radius: float
    colour: str
    angle: float  # degrees, for labels set along the ring


@dataclass(frozen=True)
class Diagram:
    centre: Node
    identifiers: list[Node]
    customers: list[Node]
    edges: list[tuple[Node, Node]]
    hidden_customers: int
    hidden_identifiers: int

    @property
    def legend(self) -> list[tuple[str, str]]:
        kinds = sorted({n.key.split(":", 1)[0] for n in self.identifiers})
        return [(KIND_LABELS_ZH.get(k, k), KIND_COLOURS.get(k, "#555")) for k in kinds]


def layout(centre_label: str, identifiers: list[tuple[str, str, frozenset[str]]]) -> Diagram:
    """identifiers: (kind:value key, label shown, customer ids that used it)."""
    ranked = sorted(identifiers, key=lambda i: (-len(i[2]), i[0]))
    shown, hidden_ids = ranked[:MAX_IDENTIFIERS], max(0, len(ranked) - MAX_IDENTIFIERS)
    degree: dict[str, int] = {}
    first_link: dict[str, int] = {}
    for index, (_, _, users) in enumerate(shown):
        for customer in users:
            degree[customer] = degree.get(customer, 0) + 1
            first_link.setdefault(customer, index)
    customers = sorted(degree, key=lambda c: (-degree[c], c))[:MAX_CUSTOMERS]
    hidden_customers = len(degree) - len(customers)
    customers.sort(key=lambda c: (first_link[c], c))  # next to their identifier: fewer crossings
    centre = Node("centre", centre_label, CENTER, CENTER, 46, "#2c3e50", 0)
    id_nodes = _ring([(key, label, KIND_COLOURS.get(key.split(":", 1)[0], "#555"))
                      for key, label, _ in shown], INNER, 15)
    cu_nodes = _ring([(f"customer:{c}", c, CUSTOMER_COLOUR) for c in customers], OUTER, 8)
    by_customer = {n.label: n for n in cu_nodes}
    edges = [(node, by_customer[c]) for node, (_, _, users) in zip(id_nodes, shown)
             for c in sorted(users) if c in by_customer]
    edges += [(centre, node) for node in id_nodes]
    return Diagram(centre, id_nodes, cu_nodes, edges, hidden_customers, hidden_ids)


def _ring(entries: list[tuple[str, str, str]], radius: float, node_radius: float) -> list[Node]:
    nodes = []
    for index, (key, label, colour) in enumerate(entries):
        angle = -90 + 360 * index / max(1, len(entries))
        x = CENTER + radius * math.cos(math.radians(angle))
        y = CENTER + radius * math.sin(math.radians(angle))
        nodes.append(Node(key, label, round(x, 2), round(y, 2), node_radius, colour, angle))
    return nodes


def label_rotation(node: Node) -> tuple[float, str]:
    """Rotation (degrees) and anchor that set a ring label outwards and never upside down."""
    angle = node.angle % 360
    if 90 < angle < 270:
        return angle - 180, "end"
    return angle, "start"


def to_svg(diagram: Diagram) -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-160 -60 {SIZE + 320} '
             f'{SIZE + 120}" width="100%" font-family="Noto Sans SC, sans-serif">']
    for a, b in diagram.edges:
        dash = ' stroke-dasharray="6 6"' if a is diagram.centre else ""
        parts.append(f'<line x1="{a.x}" y1="{a.y}" x2="{b.x}" y2="{b.y}" stroke="#aab7b8" '
                     f'stroke-width="1.5"{dash}/>')
    for node in (diagram.centre, *diagram.identifiers, *diagram.customers):
        parts.append(f'<circle cx="{node.x}" cy="{node.y}" r="{node.radius}" '
                     f'fill="{node.colour}"/>')
    parts.append(f'<text x="{CENTER}" y="{CENTER + 7}" text-anchor="middle" font-size="20" '
                 f'fill="#fff">{escape(diagram.centre.label)}</text>')
    for node in diagram.customers:
        rotation, anchor = label_rotation(node)
        dx = 14 if anchor == "start" else -14
        parts.append(f'<text transform="translate({node.x} {node.y}) rotate({rotation:.2f})" '
                     f'x="{dx}" y="5" font-size="15" text-anchor="{anchor}">'
                     f'{escape(node.label)}</text>')
    for node in diagram.identifiers:  # on a white halo, so the lines do not cross the text
        parts.append(f'<text x="{node.x}" y="{node.y + 36}" font-size="19" text-anchor="middle" '
                     f'stroke="#fff" stroke-width="5" paint-order="stroke">'
                     f'{escape(node.label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
