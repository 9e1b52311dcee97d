"""``microcred db``: the schema's migration revision."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from credentials.storage import migrate


def test_db_current_prints_the_newest_revision(run, services):
    head = ScriptDirectory.from_config(migrate.alembic_config(services.engine)).get_current_head()
    result = run("db", "current")
    assert result.exit_code == 0
    assert result.output == f"{head}\n"
