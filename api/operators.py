"""Operator keys (DELIBERATION_API_KEYS): who may author scenarios. Without keys, loopback clients only."""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from typing import Annotated

from deliberation.api.deps import SettingsDep
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from deliberation.errors import Forbidden, Unauthorized
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


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost", "testclient")


def _operator(
    request: Request, settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Operator:
    host = request.client.host if request.client else None
    if not settings.api_keys:
        if not _loopback(host):
            raise Forbidden("this server has no operator keys: set DELIBERATION_API_KEYS to author scenarios from afar")
        return Operator(id=f"client:{host}")
    key = _matching(credentials.credentials, settings.api_keys) if credentials else None
    if key is None:
        raise Unauthorized("send an operator key (one of DELIBERATION_API_KEYS) as 'Authorization: Bearer <key>'")
    return Operator(id=f"key:{hash_token(key)[:12]}")


OperatorDep = Annotated[Operator, Depends(_operator)]
