"""Shared set-up for the central service's tests: a store URL for each backend (a SQLite file;
PostgreSQL in a schema of its own, dropped afterwards). PostgreSQL must be there: its cases fail, never skip."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

# the helpers module beside this file, importable by the test modules whatever pytest's import mode
sys.path.insert(0, str(Path(__file__).parent))

PG_URL = os.environ.get("PHOTOQUEUE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str:
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return ""
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__


def pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_available() -> bool:
    problem = _pg_reachable()
    if problem:  # never a skip: a PostgreSQL case not run is a case not tested
        pytest.fail(f"PostgreSQL at {PG_URL} is unreachable: {problem}; start it (scripts/ensure-postgres.sh, "
                    "which make test runs) or point PHOTOQUEUE_TEST_PG at one")
    return True


@pytest.fixture
def pg_url(request):
    """A PostgreSQL store URL whose tables live in a fresh schema (parallel runs never clash)."""
    request.getfixturevalue("pg_available")
    import psycopg

    schema = f"pq_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield pg_schema_url(schema)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, through Playwright) for the dashboard's and /status's page tests."""
    from playwright.sync_api import sync_playwright

    from photoqueue.demo import screenshots

    with sync_playwright() as p:
        b = screenshots.launch(p)
        yield b
        b.close()
