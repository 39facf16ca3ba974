"""SQLAlchemy tables: one per record kind, generated from the kind schemata, plus the
bookkeeping of imports, rejects and attachments.

Value types map to columns as follows (see `columns_for`): a protected id number becomes a
keyed digest (for joins), a masked display form and an AES-GCM ciphertext — never the plain
number; an address keeps its text and its normalised parts; a voiceprint vector is stored as
little-endian float32 bytes. Times are stored as naive UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, MetaData,
    String, Table, Text, UniqueConstraint,
)

from qinglang.model.schema import FieldSpec, KindSchema, all_kinds

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ORG = String(64)
SHORT = String(256)

ADDRESS_PARTS = ("province", "city", "district", "adcode", "key", "building_key")
ID_NUMBER_PARTS = ("digest", "masked", "enc")


def columns_for(spec: FieldSpec) -> list[Column]:
    """The stored columns of one schema field."""
    name = spec.name
    if spec.type == "id_number":
        return [Column(f"{name}_digest", String(64), index=True),
                Column(f"{name}_masked", String(32)),
                Column(f"{name}_enc", Text)]
    if spec.type == "address":
        return [Column(name, Text)] + [
            Column(f"{name}_{part}", SHORT, index=part == "building_key")
            for part in ADDRESS_PARTS
        ]
    return [Column(name, _column_type(spec), index=spec.index)]


def _column_type(spec: FieldSpec):
    return {
        "text": Text, "datetime": DateTime, "bool": Boolean, "float": Float, "list": JSON,
        "vector": LargeBinary,
    }.get(spec.type, SHORT)


def _record_table(schema: KindSchema) -> Table:
    id_columns = [Column("org", ORG, primary_key=True),
                  Column(schema.id_field, SHORT, primary_key=True)]
    field_columns = [
        column
        for spec in schema.fields
        if spec.name != schema.id_field
        for column in columns_for(spec)
    ]
    provenance = [
        Column("attrs", JSON, nullable=False),
        Column("originals", JSON, nullable=False),
        Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
        Column("source_row", Integer, nullable=False),
        Column("updated_at", DateTime, nullable=False),
    ]
    return Table(schema.kind, metadata, *id_columns, *field_columns, *provenance)


imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org", ORG, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_format", String(16), nullable=False),
    Column("encoding", String(32)),
    Column("status", String(16), nullable=False),
    Column("rows_done", Integer, nullable=False),
    Column("rows_ok", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    UniqueConstraint("org", "kind", "sha256"),
)

rejects = Table(
    "rejects", metadata,
    Column("import_id", Integer, ForeignKey("imports.id"), primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("column_name", String(128), primary_key=True),
    Column("reason", Text, nullable=False),
)

attachments = Table(
    "attachments", metadata,
    Column("org", ORG, primary_key=True),
    Column("complaint_id", SHORT, primary_key=True),
    Column("file_name", SHORT, primary_key=True),
    Column("sha256", String(64)),
    Column("phash64", String(16)),
    Column("phash256", String(64)),
    Column("size_bytes", Integer),
    Column("path", Text),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
    Index("ix_attachments_sha256", "sha256"),
)

record_tables: dict[str, Table] = {schema.kind: _record_table(schema) for schema in all_kinds()}

assessments = Table(
    "assessments", metadata,
    Column("org", ORG, primary_key=True),
    Column("complaint_id", SHORT, primary_key=True),
    Column("ruleset_version", String(64), nullable=False),
    Column("risk_score", Integer, nullable=False),
    Column("outcome", String(16), nullable=False, index=True),
    Column("rules", Text, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("assessed_at", DateTime, nullable=False),
)

rule_hits = Table(
    "rule_hits", metadata,
    Column("org", ORG, primary_key=True),
    Column("complaint_id", SHORT, primary_key=True),
    Column("rule_id", String(16), primary_key=True),
    Column("evidence", JSON, nullable=False),
    Index("ix_rule_hits_rule_id", "rule_id"),
)

voice_speakers = Table(
    "voice_speakers", metadata,
    Column("org", ORG, primary_key=True),
    Column("voice_key", SHORT, primary_key=True),  # voiceprint id, or call:<call id>
    Column("speaker_id", SHORT, nullable=False),
    Index("ix_voice_speakers_speaker_id", "org", "speaker_id"),
)
