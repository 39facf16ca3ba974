"""Small statements run straight on SQLite's driver, for a request that runs many of them.

Online scoring runs some thirty prepared statements a request, each over a handful of rows.
SQLAlchemy's execution of an already compiled statement — its execution context, the
parameters of an expanding IN list, the result object — took longer than SQLite took to run
them. `direct(conn)` stands in for the connection: its `execute` renders each statement once,
binds by position on one driver cursor and returns plain named rows holding what
SQLAlchemy's rows would hold (the types' processors applied both ways). Everything else, and
every statement it does not take (several parameter sets, an insert of values, a literal bound
into the text), goes to the connection itself, in the same transaction; the driver's errors
are raised as SQLAlchemy raises them. Other drivers get the connection unchanged.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import CompoundSelect, Connection, Delete, Insert, Select, TextClause
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

EXPANDING = "(__[POSTCOMPILE_{}])"
PREPARED_KEPT = 2048  # statements kept rendered a connection (the online path has about 40)


class Rows(list):
    """A statement's rows with the few result methods the rule evaluators use."""

    def all(self) -> Rows:
        return self

    def scalars(self) -> Rows:
        return Rows(row[0] for row in self)

    def scalar(self) -> Any:
        return self[0][0] if self else None

    def first(self) -> Any:
        return self[0] if self else None

    def one(self) -> Any:
        if len(self) != 1:
            raise LookupError(f"expected exactly one row, got {len(self)}")
        return self[0]


@dataclass(frozen=True)
class _Bound:
    """A parameter in its place: its name, its fixed value if the statement holds one, the
    type's conversion to the driver's value, and whether it is an expanding list."""

    name: str
    fixed: Any
    required: bool
    convert: Callable | None
    expanding: bool


@dataclass(frozen=True)
class _Prepared:
    statement: ClauseElement  # held so that its id is not reused while cached
    pieces: tuple[str, ...]  # the SQL around each expanding list, in order
    binds: tuple[_Bound, ...]
    row: type | None
    converts: tuple[tuple[int, Callable], ...]  # (column, the type's conversion of its value)


class DirectConnection:
    """`conn` with `execute` run on the driver where it can be (see the module's docstring)."""

    def __init__(self, conn: Connection, prepared: dict[int, _Prepared]):
        if not conn.in_transaction():
            conn.begin()  # the connection's own commit or rollback ends what runs here
        self._conn = conn
        self._prepared = prepared
        self._cursor = conn.connection.cursor()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def execute(self, statement, parameters: dict | None = None):
        if isinstance(parameters, list):
            return self._conn.execute(statement, parameters)
        prepared = self._prepared_for(statement)
        if prepared is None:
            return self._conn.execute(statement, parameters)
        sql, values = _bind(prepared, parameters or {})
        cursor = self._cursor
        try:
            cursor.execute(sql, values)
        except self._conn.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(sql, values, error, self._conn.dialect.loaded_dbapi.Error,
                                      dialect=self._conn.dialect) from error
        if cursor.description is None:
            return Rows()
        if prepared.row is None:  # text: rows named as the driver names their columns
            named = namedtuple("Row", [c[0] for c in cursor.description], rename=True)
            return Rows(map(named._make, cursor.fetchall()))
        return Rows(_rows(prepared, cursor.fetchall()))

    def _prepared_for(self, statement) -> _Prepared | None:
        found = self._prepared.get(id(statement))
        if found is None or found.statement is not statement:
            if len(self._prepared) >= PREPARED_KEPT:
                self._prepared.clear()
            found = self._prepared[id(statement)] = _prepare(statement, self._conn.dialect)
        return found if found.pieces else None


def direct(conn: Connection) -> Connection | DirectConnection:
    """`conn` itself on drivers other than SQLite's; else its stand-in."""
    if conn.dialect.name != "sqlite":
        return conn
    return DirectConnection(conn, conn.info.setdefault(PREPARED, {}))


PREPARED = "qinglang.direct_statements"  # a connection's rendered statements, in its info


def _prepare(statement, dialect) -> _Prepared:
    """The statement rendered for the driver; no pieces if it is one `direct` leaves alone."""
    if not _takes(statement):
        return _Prepared(statement, (), (), None, ())
    compiled = statement.compile(dialect=dialect)
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    if compiled.literal_execute_params or compiled.effective_returning or any(
            by_name[name].callable is not None for name in compiled.positiontup):
        return _Prepared(statement, (), (), None, ())
    binds = tuple(_Bound(name, by_name[name].effective_value, by_name[name].required,
                         by_name[name].type.dialect_impl(dialect).bind_processor(dialect),
                         by_name[name].expanding) for name in compiled.positiontup)
    pieces = [compiled.string]
    for bind in binds:
        if bind.expanding:
            before, _, after = pieces.pop().partition(EXPANDING.format(bind.name))
            pieces += [before, after]
    row, converts = _row_shape(statement, dialect)
    return _Prepared(statement, tuple(pieces), binds, row, converts)


def _takes(statement) -> bool:
    """Queries, text, deletes and inserts from a query: statements whose parameters are all
    in the call (an insert of values renders a column for each value it is given)."""
    if isinstance(statement, (Select, CompoundSelect, TextClause, Delete)):
        return True
    return isinstance(statement, Insert) and statement.select is not None


def _row_shape(statement, dialect) -> tuple[type | None, tuple]:
    """The named row of a statement's result and the conversion of each typed column."""
    columns = getattr(statement, "selected_columns", None)
    if columns is None:
        return None, ()
    row = namedtuple("Row", list(columns.keys()), rename=True)
    converts = tuple((at, convert) for at, column in enumerate(columns)
                     if (convert := column.type.dialect_impl(dialect)
                         .result_processor(dialect, None)) is not None)
    return row, converts


def _bind(prepared: _Prepared, parameters: dict) -> tuple[str, list]:
    """(SQL, values in order) for these parameters. An empty list renders as `()`, which
    SQLite reads as the empty set."""
    values: list = []
    sizes: list[int] = []
    for bind in prepared.binds:
        value = parameters[bind.name] if bind.name in parameters or bind.required \
            else bind.fixed
        if bind.expanding:
            items = list(value) if bind.convert is None else [bind.convert(v) for v in value]
            values += items
            sizes.append(len(items))
        else:
            values.append(value if bind.convert is None else bind.convert(value))
    if not sizes:
        return prepared.pieces[0], values
    sql = [prepared.pieces[0]]
    for size, after in zip(sizes, prepared.pieces[1:]):
        sql += ["(", ", ".join("?" * size), ")", after]
    return "".join(sql), values


def _rows(prepared: _Prepared, fetched: list[tuple]):
    make = prepared.row._make
    if not prepared.converts:
        return map(make, fetched)
    converts = prepared.converts

    def converted(values: tuple):
        values = list(values)
        for at, convert in converts:
            values[at] = convert(values[at])
        return make(values)
    return map(converted, fetched)
