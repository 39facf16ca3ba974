"""Tables of the entity graph engine: the gangs found and their members.

`gang_members` holds every customer, complaint and shared identifier of a gang, one row
each; the index on (org, member_type, member_key) answers "which gang is this phone / this
customer / this complaint in" — the case engine reads both tables by these names. The index
ends with gang_id so that it covers that question: without it SQLite's planner prefers the
primary key's covering index on org alone and a join of complaints to their gang takes minutes.

The graph indexes are narrow copies of the record columns the shipped edge declarations read
(graph/edges.yaml), so the graph is built from index-only scans instead of reading the wide
record tables (complaint texts, call transcripts and voiceprint vectors) at each build; they
end with the import id, so that the records an import wrote are found by the same scan.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, LargeBinary, String, Table

from qinglang.store.tables import ORG, SHORT, metadata, record_tables

MEMBER_TYPES = ("customer", "complaint", "phone", "wechat", "qq", "voiceprint", "address",
                "domain", "company", "email", "account")

gangs = Table(
    "gangs", metadata,
    Column("org", ORG, primary_key=True),
    Column("gang_id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("score", Integer, nullable=False),
    Column("n_customers", Integer, nullable=False),
    Column("n_complaints", Integer, nullable=False),
    Column("first_seen", DateTime),
    Column("last_seen", DateTime),
    Column("channels", JSON, nullable=False),
    Column("regions", JSON, nullable=False),
    Column("rules", JSON, nullable=False),
    Column("identifiers", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

gang_members = Table(
    "gang_members", metadata,
    Column("org", ORG, primary_key=True),
    Column("gang_id", String(32), primary_key=True),
    Column("member_type", String(16), primary_key=True),
    Column("member_key", SHORT, primary_key=True),
    Column("role", String(16), nullable=False),
    Index("ix_gang_members_org_member_type_member_key", "org", "member_type", "member_key",
          "gang_id"),
)

_customers, _complaints, _calls = (record_tables[k] for k in ("customers", "complaints", "calls"))
GRAPH_INDEXES = (
    Index("ix_graph_customers", _customers.c.org, _customers.c.customer_id,
          _customers.c.reserved_phone, _customers.c.email, _customers.c.address_building_key,
          _customers.c.import_id),
    Index("ix_graph_complaints", _complaints.c.org, _complaints.c.customer_id,
          _complaints.c.complaint_id, _complaints.c.contact_phone, _complaints.c.contact_email,
          _complaints.c.mailing_address_building_key, _complaints.c.import_id),
    Index("ix_graph_calls", _calls.c.org, _calls.c.customer_id, _calls.c.caller_number,
          _calls.c.voiceprint_id, _calls.c.import_id),
)

# The incremental update's memory of the last build. `graph_components` gives every node on a
# linking edge its connected component (before Leiden), so that an import pulls back only the
# components its records touch; `graph_state` holds the last import the build had seen and,
# for the sources no import id dates (voice speakers, post contacts, intelligence), a hash of
# each row and of its anchor, from which the next update tells their new and changed rows.
graph_components = Table(
    "graph_components", metadata,
    Column("org", ORG, primary_key=True),
    Column("node_type", String(16), primary_key=True),
    Column("node_key", SHORT, primary_key=True),
    Column("component", Integer, nullable=False),
    # component first: led by org, SQLite's planner would take it for every lookup by node
    Index("ix_graph_components_component_org", "component", "org"),
)

graph_state = Table(
    "graph_state", metadata,
    Column("org", ORG, primary_key=True),
    Column("import_id", Integer, nullable=False),
    Column("declarations", String(64), nullable=False),
    Column("derived", LargeBinary, nullable=False),
    Column("built_at", DateTime, nullable=False),
)

