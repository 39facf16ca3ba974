"""Logging in (a session token for a password) and out, and who the caller is."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, Security
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from qinglang.api.deps import CallerDep, EngineDep, SettingsDep, bearer
from qinglang.services import accounts
from qinglang.services.throttle import LoginThrottle

router = APIRouter(prefix="/auth", tags=["auth"])


class Credentials(BaseModel):
    org: str | None = Field(None, max_length=64, description="the institution; the server's "
                                                             "own when left out")
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class Session(BaseModel):
    token: str
    expires_at: datetime | None
    org: str
    username: str
    role: str


class Me(BaseModel):
    org: str
    username: str
    role: str
    permissions: list[str]
    features: list[str]


@router.post("/login", response_model=Session)
def login(credentials: Credentials, request: Request, engine: EngineDep,
          settings: SettingsDep) -> Session:
    """A session token. Five failed logins of an account, or twenty from one address, within
    15 minutes lock further attempts out (429) until the oldest failure is 15 minutes old."""
    org = credentials.org or settings.org
    client = request.client.host if request.client else None
    issued = accounts.login(engine, org, credentials.username, credentials.password,
                            LoginThrottle(engine), client)
    caller = accounts.caller_for_token(engine, issued.secret)
    return Session(token=issued.secret, expires_at=issued.expires_at, org=caller.org,
                   username=caller.username, role=caller.role)


@router.post("/logout", status_code=204)
def logout(caller: CallerDep, engine: EngineDep,
           credentials: Annotated[HTTPAuthorizationCredentials, Security(bearer)]) -> None:
    """Revoke the token this request was made with."""
    accounts.revoke_token(engine, caller.org, credentials.credentials)


@router.get("/me", response_model=Me)
def me(caller: CallerDep, request: Request) -> Me:
    """The caller, what their role permits, and the dashboard views this server offers."""
    return Me(org=caller.org, username=caller.username, role=caller.role,
              permissions=sorted(caller.permissions), features=request.app.state.features)
