"""single sign-on: identity providers configured by administrators, and people's (issuer, subject) identities

Revision ID: 0015_sso
Revises: 0014_commitments
Create Date: 2026-12-03 16:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_sso'
down_revision = '0014_commitments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identity_provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('staff', 'partner', name='providerkind', native_enum=False, length=20), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('auth_method', sa.Enum('client_secret_basic', 'private_key_jwt', name='clientauthmethod', native_enum=False, length=30), nullable=False),
    sa.Column('client_secret_encrypted', sa.Text(), nullable=True),
    sa.Column('private_key_encrypted', sa.Text(), nullable=True),
    sa.Column('key_id', sa.String(length=64), nullable=True),
    sa.Column('scopes', sa.String(length=500), nullable=False),
    sa.Column('acr_values', sa.String(length=500), nullable=False),
    sa.Column('min_acr', sa.String(length=200), nullable=False),
    sa.Column('role_claim', sa.String(length=100), nullable=False),
    sa.Column('role_rules', sa.Text(), nullable=False),
    sa.Column('email_domains', sa.Text(), nullable=False),
    sa.Column('kvk_claim', sa.String(length=100), nullable=False),
    sa.Column('vestiging_claim', sa.String(length=100), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('required_for_staff', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("auth_method != 'private_key_jwt' OR (private_key_encrypted IS NOT NULL AND key_id IS NOT NULL)", name=op.f('ck_identity_provider_key_for_private_key_jwt')),
    sa.CheckConstraint("auth_method IN ('client_secret_basic', 'private_key_jwt')", name=op.f('ck_identity_provider_auth_method_known')),
    sa.CheckConstraint("kind = 'staff' OR NOT required_for_staff", name=op.f('ck_identity_provider_required_only_for_staff')),
    sa.CheckConstraint("kind IN ('staff', 'partner')", name=op.f('ck_identity_provider_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_provider')),
    sa.UniqueConstraint('slug', name=op.f('uq_identity_provider_slug'))
    )
    with op.batch_alter_table('identity_provider', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_provider_is_enabled'), ['is_enabled'], unique=False)

    op.create_table('user_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_acr', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['identity_provider.id'], name=op.f('fk_user_identity_provider_id_identity_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_identity_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_identity')),
    sa.UniqueConstraint('issuer', 'subject', name='uq_user_identity_issuer_subject')
    )
    with op.batch_alter_table('user_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_identity_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_identity_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('user_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_identity_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_identity_provider_id'))

    op.drop_table('user_identity')
    with op.batch_alter_table('identity_provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_provider_is_enabled'))

    op.drop_table('identity_provider')
