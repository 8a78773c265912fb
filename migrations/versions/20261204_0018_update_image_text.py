"""an initiative's news image carries what it shows in words (its alternative text on the timeline)

Revision ID: 0018_update_image_text
Revises: 0017_commitment_endorsements
Create Date: 2026-12-04 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_update_image_text'
down_revision = '0017_commitment_endorsements'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('initiative_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_text', sa.String(length=300), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('initiative_update', schema=None) as batch_op:
        batch_op.drop_column('image_text')
