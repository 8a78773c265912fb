"""a withdrawn response can be reopened as a draft: its lifecycle timestamp

Revision ID: 0006_response_reopened
Revises: 0005_timestamp_checks
Create Date: 2026-12-02 05:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006_response_reopened"
down_revision = "0005_timestamp_checks"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("formal_response") as batch:
        batch.add_column(sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("formal_response") as batch:
        batch.drop_column("reopened_at")
