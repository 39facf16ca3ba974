"""The whole schema of the store: the core tables plus each engine's own table module.

Migrations and their test read `metadata` from here, so a table an engine declares in its
module is covered by the check that the committed migrations build exactly these tables.
"""

from __future__ import annotations

from qinglang.store import tables  # noqa: F401  (core: records, imports, assessments)
from qinglang.store import tables_content  # noqa: F401  (post assessments, post contacts)
from qinglang.store import tables_cases  # noqa: F401  (cases, evidence, audit log)
from qinglang.store import tables_accounts  # noqa: F401  (accounts, API tokens)
from qinglang.store import tables_graph  # noqa: F401  (gangs and their members)
from qinglang.store import tables_alliance  # noqa: F401  (alliance contributions, match runs)
from qinglang.store import tables_templates  # noqa: F401  (text buckets, template clusters)
from qinglang.store import tables_findings  # noqa: F401  (analysts' manual findings)

metadata = tables.metadata
