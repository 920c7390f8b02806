"""Alembic environment of the chemnitz plugin: its own version table, only its own tables."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

PREFIX = "chemnitz_"
config = context.config
if config.config_file_name:  # the CLI's loggers (CKAN's, the extension's) keep logging
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _ours(_object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object) -> bool:
    return type_ != "table" or bool(name and name.startswith(PREFIX))


def run() -> None:
    engine = engine_from_config(config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.",
                                poolclass=pool.NullPool)  # fmt: skip
    with engine.connect() as connection:
        context.configure(connection=connection, version_table=f"{PREFIX}alembic_version", include_object=_ours)
        with context.begin_transaction():
            context.run_migrations()


run()
