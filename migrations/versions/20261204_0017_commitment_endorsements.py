"""commitments can be endorsed: the endorsement's commitment_id, its unique index over active rows,
and the check that exactly one item is set now counting three kinds

Revision ID: 0017_commitment_endorsements
Revises: 0016_mkb
Create Date: 2026-12-04 02:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_commitment_endorsements'
down_revision = '0016_mkb'
branch_labels = None
depends_on = None

TWO_KINDS = (
    "(CASE WHEN formal_response_id IS NULL THEN 0 ELSE 1 END) + "
    "(CASE WHEN initiative_id IS NULL THEN 0 ELSE 1 END) = 1"
)
THREE_KINDS = (
    "(CASE WHEN formal_response_id IS NULL THEN 0 ELSE 1 END) + "
    "(CASE WHEN initiative_id IS NULL THEN 0 ELSE 1 END) + "
    "(CASE WHEN commitment_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade():
    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commitment_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_endorsement_commitment_id"), ["commitment_id"], unique=False)
        batch_op.create_index(
            "uq_endorsement_commitment_organisation",
            ["commitment_id", "organisation_id"],
            unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_endorsement_commitment_id_commitment"),
            "commitment",
            ["commitment_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint(batch_op.f("ck_endorsement_exactly_one_item"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_endorsement_exactly_one_item"), THREE_KINDS)


def downgrade():
    op.execute("DELETE FROM endorsement WHERE commitment_id IS NOT NULL")
    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_endorsement_exactly_one_item"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_endorsement_exactly_one_item"), TWO_KINDS)
        batch_op.drop_constraint(batch_op.f("fk_endorsement_commitment_id_commitment"), type_="foreignkey")
        batch_op.drop_index(
            "uq_endorsement_commitment_organisation",
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_endorsement_commitment_id"))
        batch_op.drop_column("commitment_id")
