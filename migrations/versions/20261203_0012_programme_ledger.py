"""programme ledger: running totals per funding source (granted, spent) and per consultation (the
programme's initiatives), kept by the operations, so the programme page does not sum every grant;
the two covering indexes for those sums go

Revision ID: 0012_programme_ledger
Revises: 0011_programme_index
Create Date: 2026-12-03 16:40:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0012_programme_ledger"
down_revision = "0011_programme_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "initiative_source_ledger",
        sa.Column("funding_source_id", sa.Integer(), nullable=False),
        sa.Column("granted_cents", sa.BigInteger(), nullable=False),
        sa.Column("spent_cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("granted_cents >= 0", name=op.f("ck_initiative_source_ledger_granted_not_negative")),
        sa.CheckConstraint("spent_cents >= 0", name=op.f("ck_initiative_source_ledger_spent_not_negative")),
        sa.ForeignKeyConstraint(
            ["funding_source_id"],
            ["funding_source.id"],
            name=op.f("fk_initiative_source_ledger_funding_source_id_funding_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("funding_source_id", name=op.f("pk_initiative_source_ledger")),
    )
    op.create_table(
        "initiative_programme_ledger",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("initiatives", sa.Integer(), nullable=False),
        sa.CheckConstraint("initiatives >= 0", name=op.f("ck_initiative_programme_ledger_initiatives_not_negative")),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_initiative_programme_ledger_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_initiative_programme_ledger")),
    )
    # The totals of what is there already (as initiatives/ledger.py rebuild() computes them).
    op.execute(
        "INSERT INTO initiative_source_ledger (funding_source_id, granted_cents, spent_cents) "
        "SELECT s.id, "
        "COALESCE((SELECT SUM(g.amount_cents) FROM initiative_grant g WHERE g.funding_source_id = s.id), 0), "
        "COALESCE((SELECT SUM(p.amount_cents) FROM initiative_spending p WHERE p.funding_source_id = s.id), 0) "
        "FROM funding_source s"
    )
    op.execute(
        "INSERT INTO initiative_programme_ledger (consultation_id, initiatives) "
        "SELECT consultation_id, COUNT(*) FROM initiative "
        "WHERE state IN ('adopted', 'in_progress', 'completed', 'cancelled') GROUP BY consultation_id"
    )
    with op.batch_alter_table("initiative_spending", schema=None) as batch_op:
        batch_op.drop_index("ix_initiative_spending_source_amount")
    with op.batch_alter_table("initiative_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_initiative_grant_source_amount")


def downgrade():
    with op.batch_alter_table("initiative_grant", schema=None) as batch_op:
        batch_op.create_index("ix_initiative_grant_source_amount", ["funding_source_id", "amount_cents"], unique=False)
    with op.batch_alter_table("initiative_spending", schema=None) as batch_op:
        batch_op.create_index(
            "ix_initiative_spending_source_amount", ["funding_source_id", "amount_cents"], unique=False
        )
    op.drop_table("initiative_programme_ledger")
    op.drop_table("initiative_source_ledger")
