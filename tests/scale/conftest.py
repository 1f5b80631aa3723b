"""Real Postgres and Redis for the scaled backends: started once per session on loopback, in temporary directories.

A test that needs one skips, saying why, only when the server cannot be started here (see tests/services.py).
Each test gets its own database and an emptied Redis.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from services import Service, serving, start_postgres, start_redis

from deliberation.config import Settings


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Service]:
    yield from serving(start_postgres, "a real Postgres")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Service]:
    yield from serving(start_redis, "a real Redis")


@pytest.fixture
def database_url(postgres_server: Service) -> Iterator[str]:
    import psycopg

    name = f"t{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield postgres_server.url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def redis_url(redis_server: Service) -> str:
    import redis

    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    return redis_server.url


@pytest.fixture
def scaled(settings: Settings, database_url: str, redis_url: str) -> Settings:
    """Lexical retrieval (builds in milliseconds) with both shared backends."""
    return settings.model_copy(update={"embedding": "lexical", "database_url": database_url, "redis_url": redis_url})
