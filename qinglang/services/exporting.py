"""Exporting stored records, with personal data masked unless the caller asks otherwise."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from qinglang.export.writers import write_table
from qinglang.model.schema import FieldSpec, load_kind
from qinglang.model.values import IdNumberProtector
from qinglang.model.values.masking import mask_email, mask_name, mask_phone
from qinglang.services import audit
from qinglang.store.repository import rows_of_org
from qinglang.store.tables import record_tables

def export_records(engine: Engine, org: str, kind: str, out: Path, unmasked: bool = False,
                   protector: IdNumberProtector | None = None, actor: str | None = None) -> int:
    schema = load_kind(kind)
    audit.record(engine, org, actor, "export.records", kind, {"unmasked": unmasked,
                                                               "file": out.name})
    columns = list(schema.field_names)
    if schema.derived_id:
        columns = [schema.id_field, *columns]
    rows = (public_row(row, schema.fields, unmasked, protector)
            for row in rows_of_org(engine, record_tables[kind], org))
    return write_table(out, columns + ["attrs"], rows)


def public_row(row: dict, fields: tuple[FieldSpec, ...], unmasked: bool,
                protector: IdNumberProtector | None) -> dict:
    out = dict(row)
    for spec in fields:
        out[spec.name] = _field_value(row, spec, unmasked, protector)
    return out


def _field_value(row: dict, spec: FieldSpec, unmasked: bool,
                 protector: IdNumberProtector | None) -> object:
    name = spec.name
    if spec.type == "id_number":
        if unmasked and protector and row[f"{name}_enc"]:
            return protector.decrypt(row[f"{name}_enc"])
        return row[f"{name}_masked"]
    value = row.get(name)
    if value is None or unmasked or not spec.personal:
        return value
    if spec.type == "phone":
        return mask_phone(value)
    if spec.type == "email":
        return mask_email(value)
    if spec.type == "address":
        parts = (row.get(f"{name}_{p}") or "" for p in ("province", "city", "district"))
        return "".join(parts) + "****"
    return mask_name(value)
