"""endorsements become their own table: one row type for every kind of item, withdrawable

Moves every row of `response_endorsement` into `endorsement` (same id, organisation, person
and time, as active endorsements of the formal response) and drops the old table. The
downgrade moves the active endorsements of formal responses back; withdrawn ones have no
place in the old table and are dropped with the new one.

Revision ID: 0008_endorsements
Revises: 0007_enum_checks
Create Date: 2026-12-02 05:45:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = "0008_endorsements"
down_revision = "0007_enum_checks"
branch_labels = None
depends_on = None

ACTIVE = "withdrawn_at IS NULL"


def _reset_sequence(table: str) -> None:
    """Rows were copied with their ids: the next generated id follows the highest one (PostgreSQL)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def upgrade():
    op.create_table(
        "endorsement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("endorsed_by_id", sa.Integer(), nullable=True),
        sa.Column("endorsed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=False),
        sa.Column("formal_response_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN formal_response_id IS NULL THEN 0 ELSE 1 END) = 1", name=op.f("ck_endorsement_exactly_one_item")
        ),
        sa.CheckConstraint(
            "withdrawn_by_id IS NULL OR withdrawn_at IS NOT NULL",
            name=op.f("ck_endorsement_withdrawn_by_when_withdrawn"),
        ),
        sa.ForeignKeyConstraint(
            ["endorsed_by_id"], ["user.id"], name=op.f("fk_endorsement_endorsed_by_id_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["formal_response_id"],
            ["formal_response.id"],
            name=op.f("fk_endorsement_formal_response_id_formal_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_endorsement_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["user.id"], name=op.f("fk_endorsement_withdrawn_by_id_user"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsement")),
    )
    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        for column in ("endorsed_at", "endorsed_by_id", "formal_response_id", "organisation_id", "withdrawn_at",
                       "withdrawn_by_id"):  # fmt: skip
            batch_op.create_index(batch_op.f(f"ix_endorsement_{column}"), [column], unique=False)
        batch_op.create_index(
            "uq_endorsement_formal_response_organisation",
            ["formal_response_id", "organisation_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE),
            postgresql_where=sa.text(ACTIVE),
        )

    op.execute(
        "INSERT INTO endorsement (id, organisation_id, endorsed_by_id, endorsed_at, withdrawal_reason,"
        " formal_response_id)"
        " SELECT id, organisation_id, endorsed_by_id, endorsed_at, '', response_id FROM response_endorsement"
    )
    _reset_sequence("endorsement")

    with op.batch_alter_table("response_endorsement", schema=None) as batch_op:
        for column in ("response_id", "organisation_id", "endorsed_by_id", "endorsed_at"):
            batch_op.drop_index(batch_op.f(f"ix_response_endorsement_{column}"))
    op.drop_table("response_endorsement")


def downgrade():
    op.create_table(
        "response_endorsement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("endorsed_by_id", sa.Integer(), nullable=True),
        sa.Column("endorsed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["endorsed_by_id"], ["user.id"], name=op.f("fk_response_endorsement_endorsed_by_id_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_response_endorsement_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["formal_response.id"],
            name=op.f("fk_response_endorsement_response_id_formal_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_endorsement")),
        sa.UniqueConstraint("response_id", "organisation_id", name="uq_response_endorsement_org"),
    )
    with op.batch_alter_table("response_endorsement", schema=None) as batch_op:
        for column in ("endorsed_at", "endorsed_by_id", "organisation_id", "response_id"):
            batch_op.create_index(batch_op.f(f"ix_response_endorsement_{column}"), [column], unique=False)

    op.execute(
        "INSERT INTO response_endorsement (id, response_id, organisation_id, endorsed_by_id, endorsed_at)"
        " SELECT id, formal_response_id, organisation_id, endorsed_by_id, endorsed_at FROM endorsement"
        f" WHERE formal_response_id IS NOT NULL AND {ACTIVE}"
    )
    _reset_sequence("response_endorsement")

    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        batch_op.drop_index("uq_endorsement_formal_response_organisation")
        for column in ("endorsed_at", "endorsed_by_id", "formal_response_id", "organisation_id", "withdrawn_at",
                       "withdrawn_by_id"):  # fmt: skip
            batch_op.drop_index(batch_op.f(f"ix_endorsement_{column}"))
    op.drop_table("endorsement")
