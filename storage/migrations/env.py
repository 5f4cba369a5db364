"""Alembic environment: runs on the connection `storage.db.upgrade_to_head` hands over.

Run by hand (e.g. `alembic -c storage/alembic.ini revision --autogenerate -m "..."`), it opens
the database named by the settings.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - registers the tables on SQLModel.metadata

target_metadata = SQLModel.metadata


def run_migrations(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    from bot.settings import load_settings
    from storage.db import create_db_engine

    engine = create_db_engine(load_settings().database_url)
    with engine.begin() as own_connection:
        run_migrations(own_connection)
