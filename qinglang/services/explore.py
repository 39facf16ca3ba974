"""The gang graph as the dashboard draws it: a gang's members and their links, and any node
expanded into its neighbours on a click.

Nodes are shown with masked labels, and two different numbers can mask alike, so a node is
named to the browser by an opaque reference: the node sealed with AES-SIV under a key derived
from the master key, bound to the institution. The browser can hand a reference back to be
expanded but cannot read a number out of it or make one up, and a reference made for one
institution does not open for another.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine, select

from qinglang.graph.identifiers import label
from qinglang.graph.neighbourhood import Neighbourhood, Node, neighbourhood
from qinglang.graph.schema import default_declarations
from qinglang.services.monitor import NotFound
from qinglang.store.tables_graph import gang_members, gangs

RECORD_TYPES = ("customer", "complaint")
MAX_WALKED = 40  # identifiers of one gang walked for its picture; the rest come on a click


class NodeSealer:
    """Opaque, tamper-proof references to graph nodes, for one institution."""

    def __init__(self, master_key: bytes, org: str):
        derived = HKDF(algorithm=hashes.SHA256(), length=64, salt=None,
                       info=b"qinglang graph node reference").derive(master_key)
        self._siv = AESSIV(derived)
        self._org = org.encode()

    def seal(self, node: Node) -> str:
        sealed = self._siv.encrypt("\x00".join(node).encode(), [self._org])
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, ref: str) -> Node:
        try:
            raw = base64.urlsafe_b64decode(ref + "=" * (-len(ref) % 4))
            kind, _, key = self._siv.decrypt(raw, [self._org]).decode().partition("\x00")
        except (InvalidTag, ValueError, binascii.Error):
            raise NotFound("no such node") from None
        return kind, key


def require_gang(engine: Engine, org: str, gang_id: str) -> None:
    """A gang of another institution is "not found", like one that does not exist."""
    with engine.connect() as conn:
        if conn.execute(select(gangs.c.gang_id).where(
                gangs.c.org == org, gangs.c.gang_id == gang_id)).first() is None:
            raise NotFound("no such gang")


def gang_graph(engine: Engine, org: str, master_key: bytes, gang_id: str) -> dict:
    """The gang's shared identifiers and the records linked to them."""
    require_gang(engine, org, gang_id)
    with engine.connect() as conn:
        members = conn.execute(select(gang_members.c.member_type, gang_members.c.member_key)
                               .where(gang_members.c.org == org,
                                      gang_members.c.gang_id == gang_id)
                               .order_by(gang_members.c.member_type,
                                         gang_members.c.member_key)).all()
    identifiers = [(t, k) for t, k in members if t not in RECORD_TYPES][:MAX_WALKED]
    decl = default_declarations()
    picture = _Picture(NodeSealer(master_key, org), {(t, k) for t, k in members})
    for node in identifiers:
        picture.add(neighbourhood(engine, org, decl, node, 1))
    return picture.view()


def expand(engine: Engine, org: str, master_key: bytes, ref: str) -> dict:
    """One node and its direct neighbours."""
    sealer = NodeSealer(master_key, org)
    node = sealer.open(ref)
    decl = default_declarations()
    if node[0] not in decl.nodes:
        raise NotFound("no such node")
    picture = _Picture(sealer, set())
    picture.add(neighbourhood(engine, org, decl, node, 1))
    return picture.view()


class _Picture:
    """Nodes and links gathered from several walks, named by sealed references."""

    def __init__(self, sealer: NodeSealer, members: set[Node]):
        self.sealer = sealer
        self.members = members
        self.decl = default_declarations()
        self.nodes: dict[Node, dict] = {}
        self.links: set[tuple[Node, Node, str]] = set()

    def add(self, near: Neighbourhood) -> None:
        for node in near.hops:
            shown = self.nodes.setdefault(node, self._node(node, near))
            shown["hub"] = shown["hub"] or node in near.hubs
        self.links |= {(a, b, s) for a, b, s in near.edges
                       if a in near.hops and b in near.hops}

    def _node(self, node: Node, near: Neighbourhood) -> dict:
        kind, key = node
        spec = self.decl.nodes.get(kind)
        return {"ref": self.sealer.seal(node),
                "label": label(kind, key, bool(spec and spec.personal), False),
                "type": kind, "gang_id": near.gangs.get(node, ""), "hub": False,
                "member": node in self.members}

    def view(self) -> dict:
        refs = {node: shown["ref"] for node, shown in self.nodes.items()}
        return {"nodes": sorted(self.nodes.values(), key=lambda n: (n["type"], n["label"])),
                "links": [{"source": refs[a], "target": refs[b], "strength": s}
                          for a, b, s in sorted(self.links)]}
