"""Each dataset's DCAT-AP.de RDF, stored when the dataset changes; consistent resource dates.

Revision ID: 7d3e9a41c2b8
Revises: 5c1a7e2b9d40
Create Date: 2026-12-03

``chemnitz_dcat_record`` holds one row per dataset that was ever public (kept after deletion to
announce it to harvesters); ``chemnitz_dcat_piece`` its RDF per profile and format. Resources that
CKAN stamped as modified before their creation (``dcat/dates.py``) are corrected once here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7d3e9a41c2b8"
down_revision = "5c1a7e2b9d40"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chemnitz_dcat_record",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("uri", sa.UnicodeText, nullable=False),
        sa.Column("owner_org", sa.UnicodeText),
        sa.Column("series", sa.ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("source_modified", sa.DateTime, nullable=False),
        sa.Column("changed", sa.DateTime, nullable=False),
        sa.Column("stale", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("chemnitz_dcat_record_owner_org", "chemnitz_dcat_record", ["owner_org"])
    op.create_index("chemnitz_dcat_record_changed", "chemnitz_dcat_record", ["changed"])
    op.create_table(
        "chemnitz_dcat_piece",
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("chemnitz_dcat_record.package_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("profile", sa.UnicodeText, primary_key=True),
        sa.Column("format", sa.UnicodeText, primary_key=True),
        sa.Column("generation", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
    )
    op.execute("UPDATE resource SET created = metadata_modified WHERE created > metadata_modified")


def downgrade() -> None:
    op.drop_table("chemnitz_dcat_piece")
    op.drop_table("chemnitz_dcat_record")
