"""a sector coordinator proposes a commitment; the gemeente accepts it as its draft or declines it

New states `proposed` and `declined`, the proposing sector group with the proposal's date, and
the accepted/declined timestamps; the state and lifecycle checks follow the workflow table.

Revision ID: 0021_commitment_proposals
Revises: 0018_update_image_text
Create Date: 2026-12-04 12:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0021_commitment_proposals"
down_revision = "0018_update_image_text"
branch_labels = None
depends_on = None

OLD = {
    "state_known": "state IN ('draft', 'open', 'binding', 'closed', 'withdrawn')",
    "opened_at_set": "state IN ('draft', 'withdrawn') OR opened_at IS NOT NULL",
    "bound_at_set": "state IN ('draft', 'open', 'closed', 'withdrawn') OR bound_at IS NOT NULL",
    "closed_at_set": "state IN ('draft', 'open', 'binding', 'withdrawn') OR closed_at IS NOT NULL",
    "withdrawn_at_set": "state IN ('draft', 'open', 'binding', 'closed') OR withdrawn_at IS NOT NULL",
}
NEW = {
    "state_known": "state IN ('proposed', 'draft', 'open', 'binding', 'closed', 'declined', 'withdrawn')",
    "opened_at_set": "state IN ('proposed', 'draft', 'declined', 'withdrawn') OR opened_at IS NOT NULL",
    "bound_at_set": (
        "state IN ('proposed', 'draft', 'open', 'closed', 'declined', 'withdrawn') OR bound_at IS NOT NULL"
    ),
    "closed_at_set": (
        "state IN ('proposed', 'draft', 'open', 'binding', 'declined', 'withdrawn') OR closed_at IS NOT NULL"
    ),
    "withdrawn_at_set": (
        "state IN ('proposed', 'draft', 'open', 'binding', 'closed', 'declined') OR withdrawn_at IS NOT NULL"
    ),
    "declined_at_set": (
        "state IN ('proposed', 'draft', 'open', 'binding', 'closed', 'withdrawn') OR declined_at IS NOT NULL"
    ),
    "proposal_dated": "proposed_by_group_id IS NULL OR proposed_at IS NOT NULL",
}


def upgrade():
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_by_group_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_commitment_proposed_by_group_id"), ["proposed_by_group_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_commitment_proposed_by_group_id_sector_group"),
            "sector_group",
            ["proposed_by_group_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        for name in OLD:
            batch_op.drop_constraint(op.f(f"ck_commitment_{name}"), type_="check")
        for name, condition in NEW.items():
            batch_op.create_check_constraint(op.f(f"ck_commitment_{name}"), condition)


def downgrade():
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        for name in NEW:
            batch_op.drop_constraint(op.f(f"ck_commitment_{name}"), type_="check")
        for name, condition in OLD.items():
            batch_op.create_check_constraint(op.f(f"ck_commitment_{name}"), condition)
        batch_op.drop_constraint(batch_op.f("fk_commitment_proposed_by_group_id_sector_group"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_commitment_proposed_by_group_id"))
        batch_op.drop_column("declined_at")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("proposed_at")
        batch_op.drop_column("proposed_by_group_id")
