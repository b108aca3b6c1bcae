"""credit: warning proposals, rating signals, published draws

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

A credit event may be a ``rating_signal`` (the CHECK on ``credit_event.kind`` widened:
on SQLite the table is rebuilt in batch mode); the results of a draw as entered
(``inspection_result``), the published results (``inspection_results_edition``,
immutable) and the dismissed consumer-warning proposals (``warning_proposal_dismissal``).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('inspection', 'penalty', 'abnormal', 'honour')"
NEW_KINDS = "kind IN ('inspection', 'penalty', 'abnormal', 'honour', 'rating_signal')"


def _kinds(check):
    with op.batch_alter_table("credit_event", recreate="auto") as batch:
        batch.drop_constraint("kind", type_="check")  # ck_credit_event_kind by the naming rule
        batch.create_check_constraint("kind", sa.text(check))


def upgrade():
    _kinds(NEW_KINDS)
    op.create_table(
        "inspection_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("provider_key", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("inspectors", sa.JSON(), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("via IN ('form', 'csv')", name=op.f("ck_inspection_result_via")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["inspection_plan.id"],
            name=op.f("fk_inspection_result_plan_id_inspection_plan"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["credit_event.id"],
            name=op.f("fk_inspection_result_event_id_credit_event"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_result")),
        sa.UniqueConstraint(
            "plan_id", "provider_key", name=op.f("uq_inspection_result_plan_id_provider_key")
        ),
    )
    op.create_index(
        op.f("ix_inspection_result_plan_id"), "inspection_result", ["plan_id"], unique=False
    )
    op.create_table(
        "inspection_results_edition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("districts", sa.String(length=500), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("csv", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("csv_sha256", sa.String(length=64), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["inspection_plan.id"],
            name=op.f("fk_inspection_results_edition_plan_id_inspection_plan"),
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["inspection_results_edition.id"],
            name=op.f("fk_inspection_results_edition_replaces_id_inspection_results_edition"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_results_edition")),
        sa.UniqueConstraint("edition", name=op.f("uq_inspection_results_edition_edition")),
        sa.UniqueConstraint(
            "replaces_id", name=op.f("uq_inspection_results_edition_replaces_id")
        ),
    )
    op.create_index(
        op.f("ix_inspection_results_edition_plan_id"), "inspection_results_edition",
        ["plan_id"], unique=False,
    )
    op.create_table(
        "warning_proposal_dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"],
            name=op.f("fk_warning_proposal_dismissal_provider_id_provider"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_proposal_dismissal")),
    )
    op.create_index(
        op.f("ix_warning_proposal_dismissal_provider_id"), "warning_proposal_dismissal",
        ["provider_id"], unique=False,
    )


def downgrade():
    op.drop_table("warning_proposal_dismissal")
    op.drop_table("inspection_results_edition")
    op.drop_table("inspection_result")
    op.execute("DELETE FROM credit_event WHERE kind = 'rating_signal'")
    _kinds(OLD_KINDS)
