"""Tables of the content engine: one assessment per post, and the contacts found in posts.

`post_contacts` is what the entity graph and rule 2.8 join on: keep its column names.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Index, Integer, String, Table, Text

from qinglang.store.tables import ORG, SHORT, metadata

post_assessments = Table(
    "post_assessments", metadata,
    Column("org", ORG, primary_key=True),
    Column("post_id", SHORT, primary_key=True),
    Column("is_black_gray", Boolean, nullable=False),
    Column("level", Integer),
    Column("category", String(64)),
    Column("score", Float, nullable=False),
    Column("terms", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("model_version", String(128), nullable=False),
    Column("assessed_at", DateTime, nullable=False),
    Index("ix_post_assessments_org_is_black_gray", "org", "is_black_gray"),
)

post_contacts = Table(
    "post_contacts", metadata,
    Column("org", ORG, primary_key=True),
    Column("post_id", SHORT, primary_key=True),
    Column("indicator_type", String(16), primary_key=True),
    Column("indicator_value", SHORT, primary_key=True),
    Index("ix_post_contacts_org_indicator_type_indicator_value",
          "org", "indicator_type", "indicator_value"),
)
