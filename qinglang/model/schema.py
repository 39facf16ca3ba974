"""The record kinds of formats.md, loaded from the YAML files in `kinds/`.

The domain lives in data: a kind declares its fields and their value types; importing,
storage and masking are all driven by it. A misspelled key fails loudly (strict models).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

FieldType = Literal[
    "id", "string", "text", "person_name", "datetime", "bool", "enum", "float", "list", "vector",
    "phone", "email", "wechat", "qq", "domain", "url", "credit_code", "id_number", "address",
    "indicator",
]

KIND_NAMES = ("customers", "complaints", "calls", "posts", "companies", "intelligence")


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: FieldType
    required: bool = False
    allow_empty: bool = False
    personal: bool = False
    index: bool = False
    lowercase: bool = False
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    kind_field: str | None = None

    @model_validator(mode="after")
    def _type_options_fit(self) -> "FieldSpec":
        if (self.type == "enum") != bool(self.values):
            raise ValueError(f"field {self.name}: 'values' goes with type enum, and only with it")
        if (self.type == "indicator") != (self.kind_field is not None):
            raise ValueError(f"field {self.name}: 'kind_field' goes with type indicator")
        return self


class KindSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    title: str
    id_field: str
    file_aliases: tuple[str, ...]
    derived_id: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...]

    @model_validator(mode="before")
    @classmethod
    def _named_fields(cls, data: dict) -> dict:
        fields = data.get("fields")
        if isinstance(fields, dict):
            data = {**data, "fields": [{"name": k, **v} for k, v in fields.items()]}
        return data

    @model_validator(mode="after")
    def _id_is_known(self) -> "KindSchema":
        names = {f.name for f in self.fields}
        if self.derived_id:
            missing = set(self.derived_id) - names
            if missing:
                raise ValueError(f"{self.kind}: derived_id names unknown fields {sorted(missing)}")
        elif self.id_field not in names:
            raise ValueError(f"{self.kind}: id_field {self.id_field} is not a field")
        return self

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


@cache
def load_kind(kind: str) -> KindSchema:
    if kind not in KIND_NAMES:
        raise KeyError(kind)
    text = resources.files("qinglang.model.kinds").joinpath(f"{kind}.yaml").read_text("utf-8")
    return KindSchema.model_validate(yaml.safe_load(text))


def all_kinds() -> tuple[KindSchema, ...]:
    return tuple(load_kind(name) for name in KIND_NAMES)
