"""Schema changes only through migrations: one head, upgrade from empty, models match."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from portal.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def test_there_is_exactly_one_head():
    script = ScriptDirectory.from_config(_alembic_config())
    assert len(script.get_heads()) == 1


def _alembic_config() -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def test_upgrade_from_empty_created_every_table(ctx):
    """The session's database was built by `flask db upgrade` from nothing (see conftest)."""
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_models_match_the_migrations(ctx):
    with db.engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(mc, db.metadata)
    assert diff == []


def test_downgrade_then_upgrade_round_trip(app, tmp_path):
    """Down to empty and back up on a scratch SQLite database (PostgreSQL is covered by the suite run)."""
    from flask_migrate import downgrade, upgrade

    from portal import create_app

    url = f"sqlite:///{tmp_path / 'scratch.db'}"
    scratch = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    with scratch.app_context():
        upgrade(directory=str(MIGRATIONS))
        downgrade(directory=str(MIGRATIONS), revision="base")
        upgrade(directory=str(MIGRATIONS))
        db.engine.dispose()
    engine = create_engine(url)
    assert "audit_head" in inspect(engine).get_table_names()
    engine.dispose()
