"""Certificates (frozen snapshot and its hash, validity, revocation); ISO 37106 assessments.

Revision ID: 0003_certificates
Revises: 0002_workflow_users
Create Date: 2026-11-22 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_certificates"
down_revision = "0002_workflow_users"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "maturity_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("model_version", sa.String(length=40), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("current_level", sa.Integer(), nullable=True),
        sa.Column("mean", sa.Double(), nullable=False),
        sa.Column("target_level", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_id"],
            ["city.id"],
            name=op.f("fk_maturity_assessment_city_id_city"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_assessment")),
    )
    op.create_index(
        op.f("ix_maturity_assessment_city_id"), "maturity_assessment", ["city_id"], unique=False
    )

    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=80), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("standard", sa.String(length=40), nullable=False),
        sa.Column("family", sa.String(length=20), nullable=False),
        sa.Column("rules", sa.String(length=80), nullable=False),
        sa.Column("rules_version", sa.String(length=40), nullable=False),
        sa.Column("data_year", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("level_en", sa.String(length=100), nullable=False),
        sa.Column("level_ko", sa.String(length=100), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("surveillance_due", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["maturity_assessment.id"],
            name=op.f("fk_certificate_assessment_id_maturity_assessment"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["city_id"], ["city.id"], name=op.f("fk_certificate_city_id_city"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["reporting_cycle.id"],
            name=op.f("fk_certificate_cycle_id_reporting_cycle"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("public_id", name=op.f("uq_certificate_public_id")),
    )
    op.create_index(
        op.f("ix_certificate_assessment_id"), "certificate", ["assessment_id"], unique=False
    )
    op.create_index(op.f("ix_certificate_city_id"), "certificate", ["city_id"], unique=False)
    op.create_index(op.f("ix_certificate_cycle_id"), "certificate", ["cycle_id"], unique=False)

    op.create_table(
        "maturity_item",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=10), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["maturity_assessment.id"],
            name=op.f("fk_maturity_item_assessment_id_maturity_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_item")),
        sa.UniqueConstraint(
            "assessment_id", "item", name=op.f("uq_maturity_item_assessment_id_item")
        ),
    )


def downgrade() -> None:
    op.drop_table("maturity_item")
    op.drop_index(op.f("ix_certificate_cycle_id"), table_name="certificate")
    op.drop_index(op.f("ix_certificate_city_id"), table_name="certificate")
    op.drop_index(op.f("ix_certificate_assessment_id"), table_name="certificate")
    op.drop_table("certificate")
    op.drop_index(op.f("ix_maturity_assessment_city_id"), table_name="maturity_assessment")
    op.drop_table("maturity_assessment")
