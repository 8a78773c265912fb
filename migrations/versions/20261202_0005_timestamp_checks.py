"""lifecycle timestamp checks generated from the workflow tables

Each state of a workflow now requires exactly the timestamps of the transitions that must
have been taken to reach it (core/workflow.py: Workflow.timestamp_checks). The checks were
hand-written before, one per state; they are replaced by one per timestamp column.

Revision ID: 0005_timestamp_checks
Revises: 0004_responses
Create Date: 2026-12-02 06:20:00

"""

from alembic import op

revision = "0005_timestamp_checks"
down_revision = "0004_responses"
branch_labels = None
depends_on = None

RESPONSE_OLD = {
    "submitted_has_timestamp": "state = 'draft' OR submitted_at IS NOT NULL",
    "review_has_timestamp": "state != 'in_review' OR review_started_at IS NOT NULL",
    "changes_has_timestamp": "state != 'changes_requested' OR changes_requested_at IS NOT NULL",
    "accepted_has_timestamp": "state != 'accepted' OR accepted_at IS NOT NULL",
    "rejected_has_timestamp": "state != 'rejected' OR rejected_at IS NOT NULL",
    "withdrawn_has_timestamp": "state != 'withdrawn' OR withdrawn_at IS NOT NULL",
}
RESPONSE_NEW = {
    "submitted_at_set": "state IN ('draft') OR submitted_at IS NOT NULL",
    "review_started_at_set": "state IN ('draft', 'submitted', 'withdrawn') OR review_started_at IS NOT NULL",
    "changes_requested_at_set": (
        "state IN ('draft', 'submitted', 'in_review', 'accepted', 'rejected', 'withdrawn') "
        "OR changes_requested_at IS NOT NULL"
    ),
    "accepted_at_set": (
        "state IN ('draft', 'submitted', 'in_review', 'changes_requested', 'rejected', 'withdrawn') "
        "OR accepted_at IS NOT NULL"
    ),
    "rejected_at_set": (
        "state IN ('draft', 'submitted', 'in_review', 'changes_requested', 'accepted', 'withdrawn') "
        "OR rejected_at IS NOT NULL"
    ),
    "withdrawn_at_set": (
        "state IN ('draft', 'submitted', 'in_review', 'changes_requested', 'accepted', 'rejected') "
        "OR withdrawn_at IS NOT NULL"
    ),
}
CONSULTATION_OLD = {
    "published_has_timestamp": "(status = 'draft') OR (published_at IS NOT NULL)",
    "closed_has_timestamp": "(status != 'closed') OR (closed_at IS NOT NULL)",
}
CONSULTATION_NEW = {
    "published_at_set": "status IN ('draft') OR published_at IS NOT NULL",
    "closed_at_set": "status IN ('draft', 'published') OR closed_at IS NOT NULL",
}


def _swap(table: str, drop: dict, create: dict) -> None:
    with op.batch_alter_table(table) as batch:
        for name in drop:
            batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
        for name, condition in create.items():
            batch.create_check_constraint(op.f(f"ck_{table}_{name}"), condition)


def upgrade():
    _swap("formal_response", RESPONSE_OLD, RESPONSE_NEW)
    _swap("consultation", CONSULTATION_OLD, CONSULTATION_NEW)


def downgrade():
    _swap("consultation", CONSULTATION_NEW, CONSULTATION_OLD)
    _swap("formal_response", RESPONSE_NEW, RESPONSE_OLD)
