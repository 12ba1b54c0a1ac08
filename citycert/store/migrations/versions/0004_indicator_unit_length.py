"""Indicator value units up to 200 characters (catalogue display units are free text).

Revision ID: 0004_indicator_unit_length
Revises: 0003_certificates
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_indicator_unit_length"
down_revision = "0003_certificates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_value") as batch:
        batch.alter_column(
            "unit", existing_type=sa.String(length=60), type_=sa.String(length=200), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_value") as batch:
        batch.alter_column(
            "unit", existing_type=sa.String(length=200), type_=sa.String(length=60), nullable=False
        )
