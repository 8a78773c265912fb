"""value checks on every enum column

The enums are stored as plain strings (no native enum types), so the database took any text in a
state, status, role or position column. Each column now has a CHECK of its allowed values, named
ck_<table>_<column>_known like the mail tables' checks (core/models.py: enum_check). The values
are written out here: a migration keeps the values of its day, whatever the enums become.

Revision ID: 0007_enum_checks
Revises: 0006_response_reopened
Create Date: 2026-12-02 05:45:00

"""

from alembic import op

revision = "0007_enum_checks"
down_revision = "0006_response_reopened"
branch_labels = None
depends_on = None

CHECKS = {
    "user": {
        "org_role": ("member", "signatory", "org_admin"),
        "staff_role": ("moderator", "process_manager", "mkb_staff", "administrator"),
    },
    "consultation": {"status": ("draft", "published", "closed")},
    "funding_source": {"status": ("committed", "requested", "reserved")},
    "formal_response": {
        "state": ("draft", "submitted", "in_review", "changes_requested", "accepted", "rejected", "withdrawn"),
        "collaboration_stance": ("joins", "joins_with_conditions", "does_not_join"),
        "publication": ("public", "not_public"),
    },
    "response_theme_position": {
        "position": ("supports", "supports_with_conditions", "does_not_support", "no_position"),
    },
    "response_answer": {"verdict": ("adopted", "partly_adopted", "not_adopted")},
}


def upgrade():
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for column, values in columns.items():
                allowed = ", ".join(f"'{value}'" for value in values)
                batch.create_check_constraint(op.f(f"ck_{table}_{column}_known"), f"{column} IN ({allowed})")


def downgrade():
    for table, columns in reversed(CHECKS.items()):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_constraint(op.f(f"ck_{table}_{column}_known"), type_="check")
