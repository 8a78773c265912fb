"""audit trail: rewrite the unkeyed SHA-256 chain as an HMAC-SHA256 chain under AUDIT_HMAC_KEY

Every event is first checked against the old chain (a broken chain is refused, nothing is
rewritten), then its prev_hash and hash are recomputed with the key from the environment.
Set AUDIT_HMAC_KEY to the production key before `flask db upgrade`.

Revision ID: 0009_audit_keyed
Revises: 0008_endorsements
Create Date: 2026-12-02 06:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0009_audit_keyed"
down_revision = "0008_endorsements"
branch_labels = None
depends_on = None


def _keyed():
    from partner_portal.core.audit import hmac_key, keyed_hash

    key = hmac_key()
    return lambda prev_hash, payload: keyed_hash(prev_hash, payload, key)


def upgrade():
    from partner_portal.core.audit import rehash_chain, unkeyed_hash

    rehash_chain(op.get_bind(), unkeyed_hash, _keyed())


def downgrade():
    from partner_portal.core.audit import rehash_chain, unkeyed_hash

    rehash_chain(op.get_bind(), _keyed(), unkeyed_hash)
