"""CityCert store layer: SQLAlchemy models, engines, migrations and repositories.

Build a database explicitly: `Database.from_url(url)`; migrate with `migrate.upgrade(db)`.
"""

# Register the workflow, user and certificate tables on the shared metadata wherever the store
# is used.
from citycert.store import models_auth, models_cert, models_review, models_throttle  # noqa: F401
from citycert.store.engine import Database, make_engine
from citycert.store.migrate import DatabaseNotMigrated, ensure_migrated

__all__ = ["Database", "DatabaseNotMigrated", "ensure_migrated", "make_engine"]
