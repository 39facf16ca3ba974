"""The record kinds are data: strict, complete, and in step with formats.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from qinglang.model.schema import KindSchema, all_kinds

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_a_misspelled_key_in_a_kind_fails_loudly():
    with pytest.raises(ValidationError, match="requird"):
        KindSchema.model_validate({
            "kind": "x", "title": "x", "id_field": "a", "file_aliases": ["x"],
            "fields": {"a": {"type": "id", "requird": True}}})


def test_enum_values_only_with_enum_type():
    with pytest.raises(ValidationError, match="values"):
        KindSchema.model_validate({
            "kind": "x", "title": "x", "id_field": "a", "file_aliases": ["x"],
            "fields": {"a": {"type": "id", "values": ["p"]}}})


def _spec_tables(text: str) -> dict[str, dict[str, bool]]:
    """formats.md's column tables: kind -> {column: required}."""
    tables: dict[str, dict[str, bool]] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"^## (\w+)(?: \(.*\))?$", line)
        if heading:
            current = heading.group(1)
            continue
        if line.startswith("# Outputs"):
            break
        cell = re.match(r"^\| ([a-z_ /]+?)( \(R\))? \|", line)
        if current and cell and cell.group(1) != "column":
            for name in cell.group(1).split(" / "):
                tables.setdefault(current, {})[name] = bool(cell.group(2))
    return tables


def test_kinds_have_exactly_the_columns_of_formats_md():
    spec = _spec_tables(DOCS.joinpath("formats.md").read_text("utf-8"))
    ours = {k.kind: {f.name: f.required for f in k.fields} for k in all_kinds()}
    assert ours == spec
