"""Turning raw rows into records a kind's schema accepts, or into reasons to reject them.

A row is taken whole or rejected whole, with every failing column named. Addresses are
normalised a batch at a time because the address parser is fast only in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qinglang.errors import InvalidValue
from qinglang.ingest import values as v
from qinglang.ingest.rows import RawRow, RowProblem
from qinglang.model.schema import FieldSpec, KindSchema
from qinglang.model.values import IdNumberProtector, normalize_addresses, parse_id_number

TYPED = {"phone", "email", "wechat", "qq", "domain", "url", "credit_code"}
KEEP_ORIGINAL = TYPED | {"datetime", "bool", "indicator"}


@dataclass(slots=True)
class CleanRecord:
    number: int
    key: str
    columns: dict[str, object]
    attrs: dict[str, str]
    originals: dict[str, str] = field(default_factory=dict)


class RowCleaner:
    def __init__(self, schema: KindSchema, columns: tuple[str, ...],
                 protector: IdNumberProtector, max_field_chars: int):
        self.schema = schema
        self.protector = protector
        self.max_field_chars = max_field_chars
        known = set(schema.field_names)
        self.fields = [spec for spec in schema.fields if spec.name in columns]
        self.extra_columns = [c for c in columns if c and c not in known]
        self.address_fields = [s.name for s in self.fields if s.type == "address"]

    def clean_batch(self, rows: list[RawRow]) -> tuple[list[CleanRecord], list[RowProblem]]:
        records: list[CleanRecord] = []
        problems: list[RowProblem] = []
        for row in rows:
            record, row_problems = self._clean_row(row)
            if row_problems:
                problems.extend(row_problems)
            else:
                records.append(record)
        self._fill_addresses(records)
        return records, problems

    def _clean_row(self, row: RawRow) -> tuple[CleanRecord | None, list[RowProblem]]:
        problems: list[RowProblem] = []
        columns: dict[str, object] = {}
        originals: dict[str, str] = {}
        for spec in self.fields:
            cell = row.values.get(spec.name)
            try:
                value = self._clean_cell(spec, cell, row.values)
            except InvalidValue as exc:
                problems.append(RowProblem(row.number, spec.name, exc.message))
                continue
            self._store(spec, value, columns)
            raw = v.as_text(cell)
            if spec.type in KEEP_ORIGINAL and value is not None and raw != _as_original(value):
                originals[spec.name] = raw
        attrs = self._attrs(row, problems)
        if problems:
            return None, problems
        return CleanRecord(row.number, self._key(columns), columns, attrs, originals), []

    def _clean_cell(self, spec: FieldSpec, cell: object, row: dict) -> object:
        text = v.as_text(cell)
        if text == "":
            if spec.required and not spec.allow_empty:
                raise InvalidValue("required value is empty")
            return None
        if isinstance(cell, str) and v.looks_like_formula(text):
            raise InvalidValue("looks like a spreadsheet formula (possible formula injection)")
        if len(text) > self.max_field_chars:
            raise InvalidValue(f"longer than {self.max_field_chars} characters")
        return self._typed_value(spec, cell, text, row)

    def _typed_value(self, spec: FieldSpec, cell: object, text: str, row: dict) -> object:
        kind = spec.type
        if kind == "text":
            return text
        if kind in ("id", "string"):
            value = v.clean_short(text)
            return value.lower() if spec.lowercase else value
        if kind == "person_name":
            return v.clean_short(text, v.MAX_NAME)
        if kind == "enum":
            return v.clean_enum(text, spec)
        if kind == "datetime":
            return v.clean_datetime(cell)
        if kind == "bool":
            return v.clean_bool(cell)
        if kind == "float":
            return v.clean_float(cell, spec)
        if kind == "list":
            return v.clean_list(cell)
        if kind == "vector":
            return v.clean_vector(cell)
        if kind in TYPED:
            return v.clean_typed(kind, text)
        if kind == "indicator":
            return v.clean_indicator(text, v.as_text(row.get(spec.kind_field)).lower() or None)
        if kind == "id_number":
            return parse_id_number(text)
        if kind == "address":
            return v.clean_short(text, 512)
        raise AssertionError(f"unhandled field type {kind}")

    def _store(self, spec: FieldSpec, value: object, columns: dict[str, object]) -> None:
        if spec.type == "id_number":
            columns.update(self._protected_id_number(spec.name, value))
        else:
            columns[spec.name] = value

    def _protected_id_number(self, name: str, parsed) -> dict[str, object]:
        if parsed is None:
            return {f"{name}_digest": None, f"{name}_masked": None, f"{name}_enc": None}
        return {
            f"{name}_digest": self.protector.digest(parsed),
            f"{name}_masked": parsed.masked,
            f"{name}_enc": self.protector.encrypt(parsed),
        }

    def _attrs(self, row: RawRow, problems: list[RowProblem]) -> dict[str, str]:
        attrs: dict[str, str] = {}
        for column in self.extra_columns:
            text = v.as_text(row.values.get(column))
            if not text:
                continue
            if len(text) > self.max_field_chars:
                problems.append(RowProblem(row.number, column,
                                           f"longer than {self.max_field_chars} characters"))
            elif v.looks_like_formula(text):
                problems.append(RowProblem(
                    row.number, column,
                    "looks like a spreadsheet formula (possible formula injection)"))
            else:
                attrs[column] = text
        return attrs

    def _key(self, columns: dict[str, object]) -> str:
        if self.schema.derived_id:
            return ":".join(str(columns[name]) for name in self.schema.derived_id)
        return str(columns[self.schema.id_field])

    def _fill_addresses(self, records: list[CleanRecord]) -> None:
        for name in self.address_fields:
            holders = [r for r in records if r.columns.get(name)]
            parsed = normalize_addresses([r.columns[name] for r in holders])
            for record, address in zip(holders, parsed):
                for part in ("province", "city", "district", "adcode", "key", "building_key"):
                    record.columns[f"{name}_{part}"] = getattr(address, part) or None


def _as_original(value: object) -> str:
    return value if isinstance(value, str) else ""
