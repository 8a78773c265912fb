"""programme indexes: the execution programme's latest adopted initiatives, and each funding
source's granted and spent sums, read from indexes

Revision ID: 0011_programme_index
Revises: 0010_initiatives
Create Date: 2026-12-03 13:30:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0011_programme_index"
down_revision = "0010_initiatives"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.create_index("ix_initiative_programme", ["consultation_id", "adopted_at", "id"], unique=False)
    with op.batch_alter_table("initiative_grant", schema=None) as batch_op:
        batch_op.create_index("ix_initiative_grant_source_amount", ["funding_source_id", "amount_cents"], unique=False)
    with op.batch_alter_table("initiative_spending", schema=None) as batch_op:
        batch_op.create_index(
            "ix_initiative_spending_source_amount", ["funding_source_id", "amount_cents"], unique=False
        )


def downgrade():
    with op.batch_alter_table("initiative_spending", schema=None) as batch_op:
        batch_op.drop_index("ix_initiative_spending_source_amount")
    with op.batch_alter_table("initiative_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_initiative_grant_source_amount")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_index("ix_initiative_programme")
