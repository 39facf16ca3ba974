"""Tables of the template detector (domain.md 3.2, 4.6).

`complaint_text_buckets` holds, for every LSH bucket key a complaint text falls in, the
first and the latest complaint in it (the candidates a later text is compared with).
Matching one new complaint is then one primary-key lookup per band plus signing a few
texts. `complaint_templates`
holds every complaint that belongs to a cluster of two or more texts: the cluster
(`template_id`, named after its earliest complaint), the core it joined first, the best
similarity of its links, and the complaint's customer, date and channel as the analysis
read them — so that a cluster of thousands is counted, and its complaints near a date found,
on its own index without visiting each complaint (online scoring). `complaint_rare_markers` holds the marker grams
(`qinglang.text.shingles`) that only one or two of the texts taking part have, with those
texts: a new text's partners in a passage nobody else wrote. All three are rebuilt whole by
`build_template_clusters`.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, Index, Table

from qinglang.store.tables import ORG, SHORT, metadata

complaint_text_buckets = Table(
    "complaint_text_buckets", metadata,
    Column("org", ORG, primary_key=True),
    Column("bucket", BigInteger, primary_key=True, autoincrement=False),
    Column("complaint_id", SHORT, nullable=False),
    Column("latest_id", SHORT, nullable=False),
)

complaint_templates = Table(
    "complaint_templates", metadata,
    Column("org", ORG, primary_key=True),
    Column("complaint_id", SHORT, primary_key=True),
    Column("template_id", SHORT, nullable=False),
    Column("core_id", SHORT, nullable=False),
    Column("similarity", Float, nullable=False),
    Column("customer_id", SHORT),
    Column("received_at", DateTime),
    Column("channel", SHORT),
    Index("ix_complaint_templates_cluster_dates", "org", "template_id", "received_at",
          "complaint_id", "customer_id", "channel"),
    Index("ix_complaint_templates_core_dates", "org", "core_id", "received_at",
          "complaint_id"),
)

complaint_rare_markers = Table(
    "complaint_rare_markers", metadata,
    Column("org", ORG, primary_key=True),
    Column("marker", BigInteger, primary_key=True, autoincrement=False),
    Column("complaint_id", SHORT, primary_key=True),
)
