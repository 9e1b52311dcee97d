"""Alembic environment: always online, against the engine handed over in ``config.attributes``."""

from alembic import context

from credentials.storage.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a column by rebuilding its table (batch mode), and dropping the old table with rows that
        # others point at fails while foreign keys are enforced. The pragma is ignored inside a transaction, so it is
        # set on the driver's connection before the migration's transaction begins, and checked before commit.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=sqlite, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
        connection.commit()
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
