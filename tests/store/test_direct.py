"""Statements run straight on SQLite's driver give what SQLAlchemy gives, in the same
transaction, and leave to SQLAlchemy what they do not take."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import bindparam, delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from qinglang.detect.base import IDS, complaints
from qinglang.store.db import create_store_engine, migrate
from qinglang.store.direct import DirectConnection, direct
from qinglang.store.tables import imports

ORG = "test-bank"
ROWS = [{"org": ORG, "complaint_id": f"C{i}", "customer_id": f"K{i % 3}", "channel": "hotline",
         "received_at": datetime(2026, 3, 1 + i, 9, 30, 15, 250000), "text": f"第{i}件",
         "attrs": {"来源": f"第{i}行"}, "originals": {}, "import_id": 1, "source_row": i,
         "updated_at": datetime(2026, 4, 1)} for i in range(6)]
COLUMNS = ("org, customer_id, channel, received_at, attrs, originals, import_id, source_row, "
           "updated_at")


@pytest.fixture
def stored(engine):
    """A store on each backend with the six complaints."""
    return _with_complaints(engine)


@pytest.fixture
def on_sqlite(tmp_path):
    """A SQLite store with the six complaints."""
    engine = create_store_engine(f"sqlite:///{tmp_path / 'direct.db'}")
    migrate(engine)
    yield _with_complaints(engine)
    engine.dispose()


def _with_complaints(engine):
    with engine.begin() as conn:
        conn.execute(insert(imports).values(
            id=1, org=ORG, kind="complaints", sha256="0" * 64, file_name="complaints.csv",
            file_format="csv", status="done", rows_done=6, rows_ok=6, rows_rejected=0,
            started_at=datetime(2026, 4, 1)))
        conn.execute(insert(complaints), ROWS)
    return engine


def _both(engine, statement, parameters=None):
    """(what SQLAlchemy returns, what the stand-in returns) for one statement."""
    with engine.connect() as conn:
        expected = conn.execute(statement, parameters).all()
        got = direct(conn).execute(statement, parameters).all()
    return expected, got


def test_a_query_with_a_list_and_a_date_returns_the_rows_sqlalchemy_returns(on_sqlite):
    query = (select(complaints.c.complaint_id, complaints.c.received_at, complaints.c.attrs,
                    func.length(complaints.c.text).label("chars"))
             .where(complaints.c.org == ORG, complaints.c.customer_id.in_(IDS),
                    complaints.c.received_at >= bindparam("since"))
             .order_by(complaints.c.complaint_id))
    expected, got = _both(on_sqlite, query, {"ids": ["K0", "K2"], "since": datetime(2026, 3, 2)})
    assert [r.complaint_id for r in got] == ["C2", "C3", "C5"]
    assert got == expected
    assert got[0].received_at == datetime(2026, 3, 3, 9, 30, 15, 250000)
    assert got[0].attrs == {"来源": "第2行"}
    assert got[0].chars == 3 and got[0]._fields == tuple(expected[0]._mapping.keys())


def test_an_empty_list_is_the_empty_set_and_its_negation_everything(on_sqlite):
    ids = select(complaints.c.complaint_id).where(complaints.c.customer_id.in_(IDS))
    others = select(complaints.c.complaint_id).where(complaints.c.customer_id.not_in(IDS))
    assert _both(on_sqlite, ids, {"ids": []}) == ([], [])
    expected, got = _both(on_sqlite, others, {"ids": []})
    assert len(got) == 6 and sorted(got) == sorted(expected)


def test_scalars_scalar_first_and_one(on_sqlite):
    with on_sqlite.connect() as conn:
        fast = direct(conn)
        names = select(complaints.c.complaint_id).where(complaints.c.customer_id == "K1")
        assert sorted(fast.execute(names).scalars()) == ["C1", "C4"]
        assert fast.execute(select(func.count()).select_from(complaints)).scalar() == 6
        assert fast.execute(names.order_by(complaints.c.complaint_id)).first().complaint_id == "C1"
        with pytest.raises(LookupError):
            fast.execute(names).one()


def test_writes_run_in_the_connections_transaction_and_its_rollback_undoes_them(on_sqlite):
    copy = text(f"INSERT INTO complaints (complaint_id, {COLUMNS}) "
                f"SELECT complaint_id || :suffix, {COLUMNS} "
                f"FROM complaints WHERE customer_id IN :ids AND org = :org").bindparams(IDS)
    with on_sqlite.connect() as conn:
        fast = direct(conn)
        fast.execute(copy, {"suffix": "-copy", "ids": ["K0"], "org": ORG})
        fast.execute(delete(complaints).where(complaints.c.complaint_id == "C1"))
        assert fast.execute(select(func.count()).select_from(complaints)).scalar() == 7
        conn.rollback()
        assert conn.execute(select(func.count()).select_from(complaints)).scalar() == 6


def test_what_it_does_not_take_goes_to_the_connection(on_sqlite):
    with on_sqlite.connect() as conn:
        fast = direct(conn)
        fast.execute(insert(complaints), [{**ROWS[0], "complaint_id": "C9"}])  # several sets
        fast.execute(insert(complaints).values(**{**ROWS[0], "complaint_id": "C10"}))
        assert sorted(fast.execute(select(complaints.c.complaint_id).where(
            complaints.c.complaint_id.in_(["C9", "C10"]))).scalars()) == ["C10", "C9"]
        conn.rollback()


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(on_sqlite):
    duplicate = text(f"INSERT INTO complaints (complaint_id, {COLUMNS}) "
                     f"SELECT complaint_id, {COLUMNS} FROM complaints")
    with on_sqlite.connect() as conn:
        with pytest.raises(IntegrityError):
            direct(conn).execute(duplicate)
        conn.rollback()


def test_other_drivers_get_the_connection_itself(stored):
    with stored.connect() as conn:
        fast = direct(conn)
        assert isinstance(fast, DirectConnection) == (stored.dialect.name == "sqlite")
        assert fast.execute(select(func.count()).select_from(complaints)).scalar() == 6
