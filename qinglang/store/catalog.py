"""The whole schema of the store: the core tables plus each engine's own table module.

Migrations and their test read `metadata` from here, so a table an engine declares in its
module is covered by the check that the committed migrations build exactly these tables.
"""

from __future__ import annotations

from qinglang.store import tables  # noqa: F401  (core: records, imports, assessments)

metadata = tables.metadata
