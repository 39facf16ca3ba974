"""Turning raw rows into records a kind's schema accepts, or into reasons to reject them.

A row is taken whole or rejected whole, with every failing column named. A batch is cleaned
a column at a time: each field's cleaning function is chosen once per file from its type, and
its outcome (value, original spelling or reason for refusal) is remembered per distinct cell,
because exports repeat the same cells over and over (enum values, flags, area codes, template
texts, a customer's phone in every complaint). Addresses are normalised a batch at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from qinglang.errors import InvalidValue
from qinglang.ingest import values as v
from qinglang.ingest.rows import RawRow, RowProblem
from qinglang.model.schema import FieldSpec, KindSchema
from qinglang.model.values import (Address, IdNumberProtector, normalize_addresses,
                                   parse_id_number)
from qinglang.store.tables import ADDRESS_PARTS, ID_NUMBER_PARTS

TYPED = {"phone", "email", "wechat", "qq", "domain", "url", "credit_code"}
KEEP_ORIGINAL = TYPED | {"datetime", "bool", "indicator"}
FORMULA_REASON = "looks like a spreadsheet formula (possible formula injection)"
# Outcomes remembered per column; past this many the memory starts afresh (memory stays flat).
MEMORY_ENTRIES = 20_000
# Longer cells (complaint texts, letters) are not remembered: they seldom repeat exactly, and
# they would make the memory large.
MEMORY_MAX_CHARS = 128
# A column whose cells rarely repeat (ids, times, id numbers) stops being remembered.
MEMORY_TRIAL = 5_000
MEMORY_MIN_HIT_RATE = 0.05

# A field cleaner takes (cell as read, its text, the whole raw row) and returns the value.
FieldCleaner = Callable[[object, str, dict], object]
# What cleaning one cell gives: (reason it was refused or None, value(s), original or None).
Outcome = tuple[str | None, object, str | None]


@dataclass(slots=True)
class CleanRecord:
    number: int
    key: str
    columns: dict[str, object]
    attrs: dict[str, str]
    originals: dict[str, str] = field(default_factory=dict)


class _Memory:
    """Outcomes of one column's distinct string cells, while they repeat often enough to pay."""

    __slots__ = ("outcomes", "lookups", "hits", "active")

    def __init__(self) -> None:
        self.outcomes: dict[str, Outcome] = {}
        self.lookups = self.hits = 0
        self.active = True

    def judge(self) -> None:
        """After a trial, keep remembering only a column whose cells come back."""
        if self.lookups >= MEMORY_TRIAL:
            self.active = self.hits >= self.lookups * MEMORY_MIN_HIT_RATE
            self.lookups = self.hits = 0
            if not self.active:
                self.outcomes = {}
        if len(self.outcomes) > MEMORY_ENTRIES:
            self.outcomes = {}


class _FieldPlan:
    """How one field of the file is cleaned, and which output columns it fills."""

    def __init__(self, spec: FieldSpec, clean: FieldCleaner, outputs: tuple[str, ...],
                 required: bool):
        self.spec = spec
        self.clean = clean
        self.outputs = outputs
        self.keep_original = spec.type in KEEP_ORIGINAL
        self.required = required
        self.memory = _Memory() if spec.type != "indicator" else None  # depends on its row


class RowCleaner:
    def __init__(self, schema: KindSchema, columns: tuple[str, ...],
                 protector: IdNumberProtector, max_field_chars: int):
        self.schema = schema
        self.protector = protector
        self.max_field_chars = max_field_chars
        known = set(schema.field_names)
        self.plans = [
            _FieldPlan(spec, self._cleaner_for(spec), _outputs(spec),
                       spec.required and not spec.allow_empty)
            for spec in schema.fields if spec.name in columns
        ]
        self.output_names = [name for plan in self.plans for name in plan.outputs]
        self.extra_columns = [c for c in columns if c and c not in known]
        self.extra_memory = {c: _Memory() for c in self.extra_columns}
        self.address_fields = [p.spec.name for p in self.plans if p.spec.type == "address"]
        self.address_memory = _Memory()

    def clean_batch(self, rows: list[RawRow]) -> tuple[list[CleanRecord], list[RowProblem]]:
        outputs = [[None] * len(self.output_names) for _ in rows]
        originals: list[dict[str, str]] = [{} for _ in rows]
        found: list[tuple[int, int, RowProblem]] = []
        position = 0
        for order, plan in enumerate(self.plans):
            self._clean_column(plan, position, rows, outputs, originals, order, found)
            position += len(plan.outputs)
        attrs = self._attrs(rows, found)
        found.sort(key=lambda item: item[:2])
        rejected = {index for index, _, _ in found}
        records = [
            CleanRecord(row.number, "", dict(zip(self.output_names, outputs[index])),
                        attrs[index], originals[index])
            for index, row in enumerate(rows) if index not in rejected
        ]
        for record in records:
            record.key = self._key(record.columns)
        self._fill_addresses(records)
        return records, [problem for _, _, problem in found]

    def _clean_column(self, plan: _FieldPlan, position: int, rows: list[RawRow],
                      outputs: list[list], originals: list[dict[str, str]], order: int,
                      found: list[tuple[int, int, RowProblem]]) -> None:
        name = plan.spec.name
        memory = plan.memory if plan.memory is not None and plan.memory.active else None
        remembered = memory.outcomes if memory is not None else {}
        single = len(plan.outputs) == 1
        hits = 0
        for index, row in enumerate(rows):
            cell = row.values.get(name)
            outcome = remembered.get(cell) if type(cell) is str else None
            if outcome is None:
                outcome = self._outcome(plan, cell, row.values)
                if memory is not None and type(cell) is str and len(cell) <= MEMORY_MAX_CHARS:
                    remembered[cell] = outcome
            else:
                hits += 1
            error, value, original = outcome
            if error is not None:
                found.append((index, order, RowProblem(row.number, name, error)))
                continue
            if single:
                outputs[index][position] = value
            else:
                outputs[index][position:position + len(value)] = value
            if original is not None:
                originals[index][name] = original
        if memory is not None:
            memory.lookups += len(rows)
            memory.hits += hits
            memory.judge()

    def _outcome(self, plan: _FieldPlan, cell: object, row: dict) -> Outcome:
        text = v.as_text(cell)
        try:
            value = self._clean_cell(plan, cell, text, row)
        except InvalidValue as exc:
            return exc.message, None, None
        if plan.spec.type == "id_number":
            return None, self._protected_id_number(value), None
        keep = plan.keep_original and value is not None and value != text
        return None, value, text if keep else None

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

    def _protected_id_number(self, parsed) -> tuple:
        if parsed is None:
            return (None, None, None)
        return (self.protector.digest(parsed), parsed.masked, self.protector.encrypt(parsed))

    def _attrs(self, rows: list[RawRow],
               found: list[tuple[int, int, RowProblem]]) -> list[dict[str, str]]:
        """Unknown columns kept as text attributes, refused when too long or a formula."""
        attrs: list[dict[str, str]] = [{} for _ in rows]
        after_fields = len(self.plans)
        for order, column in enumerate(self.extra_columns, after_fields):
            memory = self.extra_memory[column]
            for index, row in enumerate(rows):
                cell = row.values.get(column)
                if type(cell) is str and cell in memory.outcomes:
                    error, text = memory.outcomes[cell]
                else:
                    error, text = self._attribute(cell)
                    if (type(cell) is str and len(cell) <= MEMORY_MAX_CHARS
                            and len(memory.outcomes) < MEMORY_ENTRIES):
                        memory.outcomes[cell] = (error, text)
                if error is not None:
                    found.append((index, order, RowProblem(row.number, column, error)))
                elif text:
                    attrs[index][column] = text
        return attrs

    def _attribute(self, cell: object) -> tuple[str | None, str]:
        text = v.as_text(cell)
        if not text:
            return None, text
        if len(text) > self.max_field_chars:
            return f"longer than {self.max_field_chars} characters", text
        if v.looks_like_formula(text):
            return FORMULA_REASON, text
        return None, text

    def _key(self, columns: dict[str, object]) -> str:
        if self.schema.derived_id:
            return ":".join(str(columns[name]) for name in self.schema.derived_id)
        return str(columns[self.schema.id_field])

    def _fill_addresses(self, records: list[CleanRecord]) -> None:
        for name in self.address_fields:
            holders = [r for r in records if r.columns.get(name)]
            parsed = self._normalized([r.columns[name] for r in holders])
            for record, address in zip(holders, parsed):
                for part in ADDRESS_PARTS:
                    record.columns[f"{name}_{part}"] = getattr(address, part) or None

    def _normalized(self, texts: list[str]) -> list[Address]:
        """Addresses parsed once per distinct text of a batch (cpca is the dearest step of
        cleaning), and remembered across batches while they repeat (mailing addresses do,
        customers' own do not)."""
        memory = self.address_memory
        known = memory.outcomes if memory.active else {}
        distinct = dict.fromkeys(texts)
        new = [text for text in distinct if text not in known]
        parsed = dict(zip(new, normalize_addresses(new)))
        memory.lookups += len(distinct)
        memory.hits += len(distinct) - len(new)
        if memory.active:
            known.update(parsed)
        memory.judge()
        return [parsed.get(text) or known[text] for text in texts]


def _outputs(spec: FieldSpec) -> tuple[str, ...]:
    if spec.type == "id_number":
        return tuple(f"{spec.name}_{part}" for part in ID_NUMBER_PARTS)
    return (spec.name,)
