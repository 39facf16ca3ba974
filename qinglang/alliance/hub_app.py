"""The hub's HTTP interface (FastAPI): thin routes over `Hub`; bodies never hold identifiers.

Points travel as raw 32-byte concatenations (application/octet-stream) for evaluations and
the pool bundle, and base64 inside JSON for contributions and withdrawals.
"""


import base64
import binascii
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from qinglang.alliance import oprf
from qinglang.alliance.hub import Contribution, Hub, Member
from qinglang.errors import QinglangError

OCTETS = "application/octet-stream"
MAX_BATCH = 1_000_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Registration(Strict):
    name: str = Field(min_length=1, max_length=128)
    quota: int | None = Field(default=None, ge=0)


class ItemFacts(Strict):
    category: str = Field(min_length=1, max_length=64)
    confidence: float = Field(ge=0, le=1)
    first_seen: date
    last_seen: date
    expires_at: datetime


class Contributions(Strict):
    epoch: int
    points: str
    items: list[ItemFacts]


class Withdrawal(Strict):
    epoch: int | None = None
    points: str | None = None
    all: bool = False


def create_app(hub: Hub) -> FastAPI:
    app = FastAPI(title="qinglang alliance hub", docs_url=None, redoc_url=None)

    @app.exception_handler(QinglangError)
    def _error(_request: Request, error: QinglangError) -> JSONResponse:
        return JSONResponse({"error": error.message, "code": error.code},
                            status_code=error.http_status)

    def member(authorization: Annotated[str | None, Header()] = None) -> Member:
        return hub.authenticate(_bearer(authorization))

    def admin(authorization: Annotated[str | None, Header()] = None) -> None:
        hub.check_admin(_bearer(authorization))

    Caller = Annotated[Member, Depends(member)]

    @app.post("/v1/members", dependencies=[Depends(admin)])
    def register(body: Registration) -> dict:
        return {"name": body.name, "token": hub.register(body.name, body.quota)}

    @app.get("/v1/policy")
    def policy(caller: Caller) -> dict:
        current = hub.policy()
        return {"k": current.k, "epoch": hub.key.epoch, "quota_period": current.quota_period,
                "quota": caller.quota if caller.quota is not None else current.default_quota,
                "used": hub.usage_of(caller)}

    @app.post("/v1/evaluate")
    async def evaluate(request: Request, caller: Caller) -> Response:
        blinded = await request.body()
        if len(blinded) % oprf.POINT or len(blinded) > MAX_BATCH * oprf.POINT:
            raise oprf.ProtocolError(f"send whole 32-byte points, at most {MAX_BATCH:,}")
        epoch, evaluated = await run_in_threadpool(hub.evaluate, caller, blinded)
        return Response(evaluated, media_type=OCTETS, headers={"X-Key-Epoch": str(epoch)})

    @app.post("/v1/contributions")
    def contribute(body: Contributions, caller: Caller) -> dict:
        points = _points(body.points)
        if len(points) != len(body.items):
            raise oprf.ProtocolError("one set of facts is needed for every point")
        items = [Contribution(p, f.category, f.confidence, f.first_seen, f.last_seen,
                              f.expires_at.replace(tzinfo=None))
                 for p, f in zip(points, body.items)]
        return {"stored": hub.contribute(caller, body.epoch, items)}

    @app.post("/v1/withdrawals")
    def withdraw(body: Withdrawal, caller: Caller) -> dict:
        if body.all == (body.points is not None):
            raise QinglangError("give either points or all=true")
        points = None if body.all else _points(body.points)
        return {"withdrawn": hub.withdraw(caller, body.epoch, points)}

    @app.get("/v1/pool")
    def pool(caller: Caller, if_none_match: Annotated[str | None, Header()] = None) -> Response:
        etag, data = hub.bundle(caller)
        if if_none_match == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(data, media_type=OCTETS, headers={"ETag": etag})

    @app.post("/v1/admin/rotate-key", dependencies=[Depends(admin)])
    def rotate_key() -> dict:
        return {"epoch": hub.rotate_key()}

    @app.get("/v1/admin/audit", dependencies=[Depends(admin)])
    def audit_report() -> list[dict]:
        return hub.audit_report()

    return app


def _bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _points(encoded: str) -> list[bytes]:
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise oprf.ProtocolError("points must be base64") from None
    if len(raw) % oprf.POINT:
        raise oprf.ProtocolError("points must come as whole 32-byte encodings")
    return oprf.split_points(raw)
