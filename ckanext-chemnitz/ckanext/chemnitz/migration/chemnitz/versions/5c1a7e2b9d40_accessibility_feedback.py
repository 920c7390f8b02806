"""Accessibility feedback sent through the form of the accessibility statement (BITV 2.0 § 7).

Revision ID: 5c1a7e2b9d40
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5c1a7e2b9d40"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chemnitz_accessibility_feedback",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("page", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("message", sa.UnicodeText, nullable=False),
        sa.Column("contact", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="new"),
    )


def downgrade() -> None:
    op.drop_table("chemnitz_accessibility_feedback")
