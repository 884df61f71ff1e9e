"""Follow-up: an alert's subject (the milestone or check-in link it is about, so raising it
twice is a no-op) and the re-decisions table (second decisions, stored beside the first and
never changed).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 23:55:00

"""

from collections.abc import Sequence
from importlib import import_module

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_first = import_module("bothand.storage.migrations.versions.0001_clinic_record")


def upgrade() -> None:
    """Upgrade schema."""
    # Plain ADD COLUMN, not a batch copy: on SQLite a batch rebuild of ``alerts`` would drop
    # the trigger that refuses DELETE (migration 0002).
    op.add_column("alerts", sa.Column("subject", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_alerts_episode_kind_subject", "alerts", ["episode_id", "kind", "subject"], unique=True
    )
    op.create_table(
        "redecisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("milestone", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("finding", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_redecisions_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_redecisions_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_redecisions_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redecisions")),
        sa.UniqueConstraint("episode_id", "milestone", name=op.f("uq_redecisions_episode_id")),
    )
    op.create_index(op.f("ix_redecisions_patient_id"), "redecisions", ["patient_id"], unique=False)
    _first.append_only("redecisions")


def downgrade() -> None:
    """Downgrade schema."""
    _first.drop_append_only("redecisions")
    op.drop_index(op.f("ix_redecisions_patient_id"), table_name="redecisions")
    op.drop_table("redecisions")
    op.drop_index("uq_alerts_episode_kind_subject", table_name="alerts")
    op.drop_column("alerts", "subject")
