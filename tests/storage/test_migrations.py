"""The migrations produce exactly the models' schema, on whichever database the suite runs."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from credentials.storage import migrate
from credentials.storage.database import create_database_engine
from credentials.storage.models import Base


def test_migrated_schema_matches_the_models(services):
    with services.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_database_is_at_the_newest_revision(services):
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(migrate.alembic_config(services.engine)).get_current_head()
    assert migrate.current_revision(services.engine) == head


def test_constraint_names_follow_the_naming_convention(services):
    inspector = inspect(services.engine)
    foreign_keys = {fk["name"] for fk in inspector.get_foreign_keys("users")}
    assert foreign_keys == {"fk_users_school_id_schools"}
    assert inspector.get_pk_constraint("users")["name"] in ("pk_users", None)  # SQLite does not name PKs
    uniques = {u["name"] for u in inspector.get_unique_constraints("users")}
    assert {"uq_users_email", "uq_users_session_token"} <= uniques


@pytest.fixture
def scratch_engine(tmp_path, database):
    """An engine on a database of its own, so downgrading cannot disturb other tests."""
    if database.backend == "sqlite":
        engine = create_database_engine(database.fresh_url(tmp_path))
        yield engine
        engine.dispose()
        return
    admin = create_engine(database.admin_url, isolation_level="AUTOCOMMIT")
    name = f"{database.name}_scratch"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_database_engine(make_url(database.admin_url).set(database=name).render_as_string(False))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_downgrade_to_nothing_and_back(scratch_engine):
    migrate.downgrade(scratch_engine, "base")
    assert set(inspect(scratch_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(scratch_engine)
    with scratch_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert connection.execute(text("SELECT seq FROM audit_head")).scalar_one() == 0


def test_sqlite_runs_with_wal_and_foreign_keys(services, database):
    if database.backend != "sqlite":
        return
    with services.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_down_and_up_keep_a_districts_data(services, build, client, database):
    # SQLite changes a column by rebuilding its table; with rows pointing at it (attempts, credentials) that must
    # neither fail on foreign keys nor lose a row. The same on PostgreSQL.
    credential = build.credential()
    tables = ("microcredential_versions", "attempts", "review_assignments", "issued_credentials", "audit_events")

    def counts():
        with services.engine.connect() as connection:
            return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in tables}

    before = counts()
    try:
        migrate.downgrade(services.engine, "0006")
    finally:
        migrate.upgrade(services.engine)
    assert counts() == before
    if database.backend == "sqlite":
        with services.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert client.get(f"/c/{credential.uuid}").status_code == 200
