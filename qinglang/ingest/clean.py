"""Turning raw rows into records a kind's schema accepts, or into reasons to reject them.

A row is taken whole or rejected whole, with every failing column named. A batch is cleaned
a column at a time: each field's cleaning function is chosen once per file from its type, and
its outcome (value, original spelling or reason for refusal) is remembered per distinct cell,
because exports repeat the same cells over and over (enum values, flags, area codes, template
texts, a customer's phone in every complaint). Addresses are normalised a batch at a time.
The import takes a batch's clean values as columns (`CleanBatch`), which it binds for the store
without building a dict or an object a row; `clean_batch` gives them as records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest
from operator import itemgetter
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

_ERROR, _VALUE, _ORIGINAL = itemgetter(0), itemgetter(1), itemgetter(2)  # of an Outcome
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


@dataclass(slots=True)
class CleanBatch:
    """A batch's accepted rows column by column: the import binds them for the store without
    a dict or an object a row."""

    numbers: list[int]
    keys: list[str]
    columns: dict[str, list]
    attrs: list[dict[str, str]]
    originals: list[dict[str, str]]

    @classmethod
    def of_records(cls, records: list[CleanRecord]) -> "CleanBatch":
        names = dict.fromkeys(name for record in records for name in record.columns)
        return cls([r.number for r in records], [r.key for r in records],
                   {name: [r.columns.get(name) for r in records] for name in names},
                   [r.attrs for r in records], [r.originals for r in records])

    def records(self) -> list[CleanRecord]:
        names = list(self.columns)
        return [CleanRecord(number, key, dict(zip(names, values)), attrs, originals)
                for number, key, values, attrs, originals
                in zip(self.numbers, self.keys, zip(*self.columns.values()), self.attrs,
                       self.originals)]


class _Cells:
    """The raw cells of a batch, read a column at a time: from rows (dicts), or from lists of
    cells in the order of the file's columns (CSV), where a short row lacks its last cells."""

    def __init__(self, numbers: list[int], column: Callable[[str], list],
                 row: Callable[[int], dict]):
        self.numbers = numbers
        self.column = column
        self.row = row

    @classmethod
    def of_rows(cls, rows: list[RawRow]) -> "_Cells":
        return cls([row.number for row in rows],
                   lambda name: [row.values.get(name) for row in rows],
                   lambda index: rows[index].values)

    @classmethod
    def of_lists(cls, numbers: list[int], lists: list[list], names: tuple[str, ...]
                 ) -> "_Cells":
        by_name = dict(zip(names, zip_longest(*lists))) if lists else {}
        empty = (None,) * len(numbers)
        return cls(numbers, lambda name: by_name.get(name, empty),
                   lambda index: dict(zip(names, lists[index])))


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
        self.protected = spec.type == "id_number"
        self.required = required
        self.memory = _Memory() if spec.type != "indicator" else None  # depends on its row


class RowCleaner:
    def __init__(self, schema: KindSchema, columns: tuple[str, ...],
                 protector: IdNumberProtector, max_field_chars: int):
        self.schema = schema
        self.columns = columns
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
        batch, problems = self.clean_rows(rows)
        return batch.records(), problems

    def clean_rows(self, rows: list[RawRow]) -> tuple[CleanBatch, list[RowProblem]]:
        return self._clean_table(_Cells.of_rows(rows))

    def clean_lists(self, numbers: list[int], lists: list[list]
                    ) -> tuple[CleanBatch, list[RowProblem]]:
        """Rows given as lists of cells in the order of the file's columns (`columns`)."""
        return self._clean_table(_Cells.of_lists(numbers, lists, self.columns))

    def _clean_table(self, table: _Cells) -> tuple[CleanBatch, list[RowProblem]]:
        size = len(table.numbers)
        if not size:
            return CleanBatch([], [], {}, [], []), []
        columns: list = []
        originals: list[dict[str, str]] = [{} for _ in range(size)]
        found: list[tuple[int, int, RowProblem]] = []
        for order, plan in enumerate(self.plans):
            columns += self._clean_column(plan, table, originals, order, found)
        attrs = self._attrs(table, found)
        found.sort(key=lambda item: item[:2])
        numbers = table.numbers
        if found:
            accepted = sorted(set(range(size)) - {index for index, _, _ in found})
            columns = [_at(column, accepted) for column in columns]
            numbers, attrs, originals = (_at(numbers, accepted), _at(attrs, accepted),
                                         _at(originals, accepted))
        by_name = dict(zip(self.output_names, columns))
        batch = CleanBatch(numbers, self._keys(by_name), by_name, attrs, originals)
        self._fill_addresses(batch)
        return batch, [problem for _, _, problem in found]

    def _clean_column(self, plan: _FieldPlan, table: _Cells, originals: list[dict[str, str]],
                      order: int, found: list[tuple[int, int, RowProblem]]) -> list[list]:
        """The field's output columns for the batch. Repeated cells are looked up and the
        outcomes split into columns by C loops (map): Python runs only for new cells."""
        name = plan.spec.name
        cells = table.column(name)
        size = len(cells)
        memory = plan.memory if plan.memory is not None and plan.memory.active else None
        outcomes = _remembered(memory.outcomes, cells) if memory is not None else [None] * size
        hits = size - outcomes.count(None)
        if hits < size:
            remembered = memory.outcomes if memory is not None else {}
            for index, outcome in enumerate(outcomes):
                if outcome is not None:
                    continue
                cell = cells[index]
                if type(cell) is str and (known := remembered.get(cell)) is not None:
                    outcomes[index] = known  # first seen earlier in this batch
                    hits += 1
                    continue
                row = table.row(index) if plan.spec.type == "indicator" else None
                outcomes[index] = outcome = self._outcome(plan, cell, row)
                if memory is not None and type(cell) is str and len(cell) <= MEMORY_MAX_CHARS:
                    remembered[cell] = outcome
        if memory is not None:
            memory.lookups += size
            memory.hits += hits
            memory.judge()
        errors = list(map(_ERROR, outcomes))
        values = list(map(_VALUE, outcomes))
        kept = list(map(_ORIGINAL, outcomes))
        if any(errors):
            blank = (None,) * len(plan.outputs)
            for index, error in enumerate(errors):
                if error is not None:
                    found.append((index, order, RowProblem(table.numbers[index], name, error)))
                    values[index] = blank if len(blank) > 1 else None
        if kept.count(None) != size:
            for index, original in enumerate(kept):
                if original is not None:
                    originals[index][name] = original
        return [values] if len(plan.outputs) == 1 else list(map(list, zip(*values)))

    def _outcome(self, plan: _FieldPlan, cell: object, row: dict | None) -> Outcome:
        """What cleaning one cell gives: the checks every field shares, then its type's."""
        text = cell.strip() if type(cell) is str else v.as_text(cell)
        if not text:
            if plan.required:
                return "required value is empty", None, None
            value = None
        elif len(text) > self.max_field_chars:
            return f"longer than {self.max_field_chars} characters", None, None
        elif isinstance(cell, str) and v.looks_like_formula(text):
            return FORMULA_REASON, None, None
        else:
            try:
                value = plan.clean(cell, text, row)
            except InvalidValue as exc:
                return exc.message, None, None
        if plan.protected:
            return None, self._protected_id_number(value), None
        keep = plan.keep_original and value is not None and value != text
        return None, value, text if keep else None

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

    def _attrs(self, table: _Cells,
               found: list[tuple[int, int, RowProblem]]) -> list[dict[str, str]]:
        """Unknown columns kept as text attributes, refused when too long or a formula."""
        if not self.extra_columns:
            return [{} for _ in table.numbers]
        texts = []
        after_fields = len(self.plans)
        for order, column in enumerate(self.extra_columns, after_fields):
            remembered = self.extra_memory[column].outcomes
            cells = table.column(column)
            outcomes = _remembered(remembered, cells)
            for index, outcome in enumerate(outcomes):
                if outcome is None:
                    cell = cells[index]
                    if type(cell) is str and (known := remembered.get(cell)) is not None:
                        outcomes[index] = known
                        continue
                    outcomes[index] = outcome = self._attribute(cell)
                    if (type(cell) is str and len(cell) <= MEMORY_MAX_CHARS
                            and len(remembered) < MEMORY_ENTRIES):
                        remembered[cell] = outcome
            errors = list(map(_ERROR, outcomes))
            column_texts = list(map(_VALUE, outcomes))
            if any(errors):
                for index, error in enumerate(errors):
                    if error is not None:
                        found.append((index, order, RowProblem(table.numbers[index], column,
                                                               error)))
            texts.append(column_texts)
        extra = self.extra_columns
        return [{column: text for column, text in zip(extra, row_texts) if text}
                for row_texts in zip(*texts)]

    def _attribute(self, cell: object) -> tuple[str | None, str]:
        text = v.as_text(cell)
        if not text:
            return None, text
        if len(text) > self.max_field_chars:
            return f"longer than {self.max_field_chars} characters", text
        if v.looks_like_formula(text):
            return FORMULA_REASON, text
        return None, text

    def _keys(self, columns: dict[str, list]) -> list[str]:
        if self.schema.derived_id:
            parts = zip(*(columns[name] for name in self.schema.derived_id))
            return [":".join(map(str, values)) for values in parts]
        return list(map(str, columns[self.schema.id_field]))

    def _fill_addresses(self, batch: CleanBatch) -> None:
        """Each address field's parts as columns of their own (None where it is empty)."""
        for name in self.address_fields:
            texts = batch.columns[name]
            holders = [index for index, text in enumerate(texts) if text]
            parsed = dict(zip(holders, self._normalized([texts[i] for i in holders])))
            for part in ADDRESS_PARTS:
                batch.columns[f"{name}_{part}"] = [
                    (getattr(parsed[index], part) or None) if index in parsed else None
                    for index in range(len(texts))]

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


def _at(values: list, indices: list[int]) -> list:
    return [values[index] for index in indices]


def _remembered(outcomes: dict, cells: list) -> list:
    """Each cell's remembered outcome or None; only strings are remembered (a JSON list or
    object cell cannot even be looked up)."""
    try:
        return list(map(outcomes.get, cells))
    except TypeError:
        return [outcomes.get(cell) if type(cell) is str else None for cell in cells]


def _outputs(spec: FieldSpec) -> tuple[str, ...]:
    if spec.type == "id_number":
        return tuple(f"{spec.name}_{part}" for part in ID_NUMBER_PARTS)
    return (spec.name,)
