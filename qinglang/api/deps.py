"""Typed dependencies: the store, the settings and the caller (from the bearer token).

Routers pass `caller.org` to every service call: the tenant comes from the token, never from
the request, so a caller cannot name another institution.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from qinglang.services.accounts import AuthError, Caller, caller_for_token
from qinglang.settings import Settings

bearer = HTTPBearer(auto_error=False, description="a token from /api/v1/auth/login or "
                                                  "`qinglang user token`")


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def current_caller(engine: EngineDep,
                   credentials: Annotated[HTTPAuthorizationCredentials | None,
                                          Security(bearer)]) -> Caller:
    if credentials is None:
        raise AuthError("log in first: send Authorization: Bearer <token>")
    return caller_for_token(engine, credentials.credentials)


CallerDep = Annotated[Caller, Depends(current_caller)]


def permitted(permission: str):
    """A dependency giving the caller if their role grants `permission` (else 403)."""

    async def check(caller: CallerDep) -> Caller:
        caller.require(permission)
        return caller

    return Depends(check)


Reader = Annotated[Caller, permitted("read")]
Writer = Annotated[Caller, permitted("write")]
Revealer = Annotated[Caller, permitted("reveal")]
Admin = Annotated[Caller, permitted("manage_accounts")]
Auditor = Annotated[Caller, permitted("read_audit")]


def tenant_settings(settings: Settings, caller: Caller) -> Settings:
    """The server's settings with the caller's institution, for services that take Settings."""
    return replace(settings, org=caller.org)
