"""CityCert store layer: SQLAlchemy models, engines, migrations and repositories.

Build a database explicitly: `Database.from_url(url)`; migrate with `migrate.upgrade(db)`.
"""

from citycert.store.engine import Database, make_engine
from citycert.store.migrate import DatabaseNotMigrated, ensure_migrated

__all__ = ["Database", "DatabaseNotMigrated", "ensure_migrated", "make_engine"]
