"""Test databases: a SQLite file, or a fresh schema on the PostgreSQL of
``REPORTQA_TEST_DATABASE_URL`` (``.ci/run`` starts a throwaway cluster and sets it).

Each PostgreSQL use gets a schema of its own (``t_<random>``, chosen through the connection's
``search_path``) that is dropped afterwards, so runs and tests sharing the server never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.database import default_database_url, normalise_url

TEST_DATABASE_ENV = "REPORTQA_TEST_DATABASE_URL"
NO_POSTGRES = (f"{TEST_DATABASE_ENV} is not set, so the PostgreSQL variant is skipped; .ci/run "
               "starts a throwaway PostgreSQL and sets it (or point it at a server you may "
               "create schemas on)")


def sqlite_in(folder: Path) -> SecretStr:
    """``REPORTQA_DATABASE_URL`` of a SQLite database in ``folder`` (created if missing), so a
    test's app keeps its conversations apart from every other test's."""
    folder.mkdir(parents=True, exist_ok=True)
    return SecretStr(default_database_url(folder))


def postgres_url() -> str | None:
    """The test server's URL from the environment, or None."""
    given = os.environ.get(TEST_DATABASE_ENV, "").strip()
    return normalise_url(given) if given else None


def require_postgres() -> str:
    """The test server's URL; skips the test (with the reason) when it is not configured."""
    url = postgres_url()
    if url is None:
        pytest.skip(NO_POSTGRES)
    return url


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A URL on a new, empty schema of ``base_url``'s database; the schema is dropped after."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:
        admin.dispose()
        pytest.fail(f"cannot create a schema on {TEST_DATABASE_ENV} "
                    f"({make_url(base_url).render_as_string(hide_password=True)}): {e}")
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
