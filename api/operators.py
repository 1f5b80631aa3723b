"""Operator keys (DELIBERATION_API_KEYS): who may create debates, list models and chat, and spend the rate limit.

Without keys the server is for loopback clients only (see `security.LoopbackOnly`); each client address is then
its own operator for the quotas.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from deliberation.api.deps import SettingsDep
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from deliberation.errors import Unauthorized
from deliberation.quotas import RateLimiter
from deliberation.tokens import hash_token

_bearer = HTTPBearer(auto_error=False, scheme_name="OperatorKey", description="An operator key from DELIBERATION_API_KEYS.")


@dataclass(frozen=True)
class Operator:
    id: str
    """`key:<12 hex of its sha256>` or `client:<address>`: safe to store and log, never the key itself."""


def _matching(presented: str, keys: list[str]) -> str | None:
    digest, found = hash_token(presented), None
    for key in keys:  # every key is compared, in constant time, whichever matches
        if hmac.compare_digest(digest, hash_token(key)):
            found = key
    return found


async def _operator(
    request: Request, settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Operator:
    if not settings.api_keys:
        return Operator(id=f"client:{request.client.host if request.client else 'unknown'}")
    key = _matching(credentials.credentials, settings.api_keys) if credentials else None
    if key is None:
        raise Unauthorized("send an operator key (one of DELIBERATION_API_KEYS) as 'Authorization: Bearer <key>'")
    return Operator(id=f"key:{hash_token(key)[:12]}")


OperatorDep = Annotated[Operator, Depends(_operator)]


async def _metered(request: Request, operator: OperatorDep) -> Operator:
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.hit(operator.id)
    return operator


MeteredDep = Annotated[Operator, Depends(_metered)]
"""An operator whose request counts against its rate limit (debate creation, chat)."""
