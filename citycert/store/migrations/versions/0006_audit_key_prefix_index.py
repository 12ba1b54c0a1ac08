"""Audit log key index that also serves prefix searches on PostgreSQL (varchar_pattern_ops).

Revision ID: 0006_audit_key_prefix_index
Revises: 0005_login_throttle
"""

from __future__ import annotations

from alembic import op

revision = "0006_audit_key_prefix_index"
down_revision = "0005_login_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_audit_log_entity_key", table_name="audit_log")
    op.create_index(
        "ix_audit_log_entity_key_prefix",
        "audit_log",
        ["entity_key"],
        postgresql_ops={"entity_key": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_entity_key_prefix", table_name="audit_log")
    op.create_index("ix_audit_log_entity_key", "audit_log", ["entity_key"])
