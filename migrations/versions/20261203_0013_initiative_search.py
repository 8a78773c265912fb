"""initiative search: the words of title and summary, and a tag per theme and location, with a GIN
full-text index on PostgreSQL, for the list's search and filters

Revision ID: 0013_initiative_search
Revises: 0012_programme_ledger
Create Date: 2026-12-03 16:50:00

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0013_initiative_search"
down_revision = "0012_programme_ledger"
branch_labels = None
depends_on = None


def _words(text):
    # As initiatives/search.py words() at the time of this revision.
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[0-9a-z]+", plain.lower())


def upgrade():
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_words", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("search_tags", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.alter_column("search_words", server_default=None)
        batch_op.alter_column("search_tags", server_default=None)
    conn = op.get_bind()
    themes, locations = {}, {}
    for initiative_id, theme_id in conn.execute(sa.text("SELECT initiative_id, theme_id FROM initiative_theme")):
        themes.setdefault(initiative_id, []).append(theme_id)
    for initiative_id, location_id in conn.execute(
        sa.text("SELECT initiative_id, location_id FROM initiative_location")
    ):
        locations.setdefault(initiative_id, []).append(location_id)
    updates = []
    for initiative_id, title, summary in conn.execute(sa.text("SELECT id, title, summary FROM initiative")):
        tags = [f"thema{i}" for i in sorted(themes.get(initiative_id, []))]
        tags += [f"locatie{i}" for i in sorted(locations.get(initiative_id, []))]
        words = " ".join(dict.fromkeys(_words(title) + _words(summary)))
        updates.append({"id": initiative_id, "words": words, "tags": " ".join(tags)})
    if updates:
        conn.execute(
            sa.text("UPDATE initiative SET search_words = :words, search_tags = :tags WHERE id = :id"), updates
        )
    if conn.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_initiative_search ON initiative "
            "USING gin (to_tsvector('simple', search_words), to_tsvector('simple', search_tags))"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_initiative_search")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_column("search_tags")
        batch_op.drop_column("search_words")
