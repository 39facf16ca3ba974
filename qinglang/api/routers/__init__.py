"""One router per resource; `ROUTERS` is what the app mounts under /api/v1, and `FEATURES`
names the dashboard views they serve."""

from qinglang.api.routers import (accounts, audit, auth, cases, complaints, exports, findings,
                                  gangs, imports, overview, posts, reports)

ROUTERS = [auth.router, accounts.router, overview.router, complaints.router, gangs.router,
           posts.router, cases.router, audit.router, reports.router, imports.router,
           exports.router, findings.router]
FEATURES = ["overview", "complaints", "gangs", "content", "cases", "import", "audit"]
