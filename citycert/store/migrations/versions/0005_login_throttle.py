"""Failed sign-in attempts for login throttling (hashed login and client address, time).

Revision ID: 0005_login_throttle
Revises: 0004_indicator_unit_length
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_login_throttle"
down_revision = "0004_indicator_unit_length"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login_hash", sa.String(length=64), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index(
        "ix_login_attempt_login_hash_at", "login_attempt", ["login_hash", "at"], unique=False
    )
    op.create_index(
        "ix_login_attempt_address_hash_at", "login_attempt", ["address_hash", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_login_attempt_address_hash_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_login_hash_at", table_name="login_attempt")
    op.drop_table("login_attempt")
