"""Turning raw rows into records a kind's schema accepts, or into reasons to reject them.

A row is taken whole or rejected whole, with every failing column named. Each field's
cleaning function is chosen once per file from its type, so the per-cell work is one call.
Addresses are normalised a batch at a time because the address parser is fast only in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from qinglang.errors import InvalidValue
from qinglang.ingest import values as v
from qinglang.ingest.rows import RawRow, RowProblem
from qinglang.model.schema import FieldSpec, KindSchema
from qinglang.model.values import IdNumberProtector, normalize_addresses, parse_id_number
from qinglang.store.tables import ADDRESS_PARTS

TYPED = {"phone", "email", "wechat", "qq", "domain", "url", "credit_code"}
KEEP_ORIGINAL = TYPED | {"datetime", "bool", "indicator"}
FORMULA_REASON = "looks like a spreadsheet formula (possible formula injection)"

# A field cleaner takes (cell as read, its text, the whole raw row) and returns the value.
FieldCleaner = Callable[[object, str, dict], object]


@dataclass(slots=True)
class CleanRecord:
    number: int
    key: str
    columns: dict[str, object]
    attrs: dict[str, str]
    originals: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    spec: FieldSpec
    clean: FieldCleaner
    keep_original: bool
    required: bool


class RowCleaner:
    def __init__(self, schema: KindSchema, columns: tuple[str, ...],
                 protector: IdNumberProtector, max_field_chars: int):
        self.schema = schema
        self.protector = protector
        self.max_field_chars = max_field_chars
        known = set(schema.field_names)
        self.plans = [
            _FieldPlan(spec, self._cleaner_for(spec), spec.type in KEEP_ORIGINAL,
                       spec.required and not spec.allow_empty)
            for spec in schema.fields if spec.name in columns
        ]
        self.extra_columns = [c for c in columns if c and c not in known]
        self.address_fields = [p.spec.name for p in self.plans if p.spec.type == "address"]

    def clean_batch(self, rows: list[RawRow]) -> tuple[list[CleanRecord], list[RowProblem]]:
        records: list[CleanRecord] = []
        problems: list[RowProblem] = []
        for row in rows:
            record = self._clean_row(row, problems)
            if record is not None:
                records.append(record)
        self._fill_addresses(records)
        return records, problems

    def _clean_row(self, row: RawRow, problems: list[RowProblem]) -> CleanRecord | None:
        found = len(problems)
        columns: dict[str, object] = {}
        originals: dict[str, str] = {}
        values = row.values
        for plan in self.plans:
            name = plan.spec.name
            cell = values.get(name)
            text = v.as_text(cell)
            try:
                value = self._clean_cell(plan, cell, text, values)
            except InvalidValue as exc:
                problems.append(RowProblem(row.number, name, exc.message))
                continue
            if plan.spec.type == "id_number":
                columns.update(self._protected_id_number(name, value))
                continue
            columns[name] = value
            if plan.keep_original and value is not None and value != text:
                originals[name] = text
        attrs = self._attrs(row, problems)
        if len(problems) > found:
            return None
        return CleanRecord(row.number, self._key(columns), columns, attrs, originals)

    def _clean_cell(self, plan: _FieldPlan, cell: object, text: str, row: dict) -> object:
        if not text:
            if plan.required:
                raise InvalidValue("required value is empty")
            return None
        if len(text) > self.max_field_chars:
            raise InvalidValue(f"longer than {self.max_field_chars} characters")
        if isinstance(cell, str) and v.looks_like_formula(text):
            raise InvalidValue(FORMULA_REASON)
        return plan.clean(cell, text, row)

    def _cleaner_for(self, spec: FieldSpec) -> FieldCleaner:
        kind = spec.type
        simple: dict[str, FieldCleaner] = {
            "text": lambda cell, text, row: text,
            "id": lambda cell, text, row: v.clean_short(text),
            "string": (lambda cell, text, row: v.clean_short(text).lower()) if spec.lowercase
            else (lambda cell, text, row: v.clean_short(text)),
            "person_name": lambda cell, text, row: v.clean_short(text, v.MAX_NAME),
            "enum": lambda cell, text, row: v.clean_enum(text, spec),
            "datetime": lambda cell, text, row: v.clean_datetime(cell),
            "bool": lambda cell, text, row: v.clean_bool(cell),
            "float": lambda cell, text, row: v.clean_float(cell, spec),
            "list": lambda cell, text, row: v.clean_list(cell),
            "vector": lambda cell, text, row: v.clean_vector(cell),
            "id_number": lambda cell, text, row: parse_id_number(text),
            "address": lambda cell, text, row: v.clean_short(text, 512),
            "indicator": lambda cell, text, row: v.clean_indicator(
                text, v.as_text(row.get(spec.kind_field)).lower() or None),
        }
        if kind in TYPED:
            return lambda cell, text, row: v.clean_typed(kind, text)
        return simple[kind]

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
                problems.append(RowProblem(row.number, column, FORMULA_REASON))
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
                for part in ADDRESS_PARTS:
                    record.columns[f"{name}_{part}"] = getattr(address, part) or None
