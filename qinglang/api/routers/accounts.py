"""Accounts of the caller's institution (admins only), and API tokens for other systems."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, Field

from qinglang.api.deps import Admin, EngineDep
from qinglang.services import accounts

router = APIRouter(prefix="/accounts", tags=["accounts"])


class Account(BaseModel):
    username: str
    role: str
    display_name: str | None
    disabled: bool
    created_at: datetime


class NewAccount(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    role: str = Field(max_length=16, description=" / ".join(accounts.ROLES))
    display_name: str | None = Field(None, max_length=256)


class NewToken(BaseModel):
    label: str = Field(max_length=256)
    days: int | None = Field(None, ge=1, le=3650, description="lifetime; none: until revoked")


class Token(BaseModel):
    token: str
    label: str
    expires_at: datetime | None


@router.get("", response_model=list[Account])
def list_accounts(caller: Admin, engine: EngineDep) -> list[dict]:
    return accounts.list_accounts(engine, caller.org)


@router.post("", status_code=201, response_model=Account)
def add_account(new: NewAccount, caller: Admin, engine: EngineDep) -> dict:
    return accounts.add_account(engine, caller.org, new.username, new.password, new.role,
                                new.display_name)


@router.post("/{username}/tokens", status_code=201, response_model=Token)
def issue_token(username: str, new: NewToken, caller: Admin, engine: EngineDep) -> Token:
    lifetime = timedelta(days=new.days) if new.days else None
    issued = accounts.issue_token(engine, caller.org, username, new.label, lifetime)
    return Token(token=issued.secret, label=issued.label, expires_at=issued.expires_at)
