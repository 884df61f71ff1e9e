"""Caseload indexes: the caseload reads, for each of a clinician's patients, their latest
measurement in force and the first of the same instrument in the same episode, their current
episode and their open alerts, each with one short index seek (``Store.caseload``), so the page
costs the same in a database of a million measurements as in a small one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 00:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    # the latest measurement of a patient: the last entry under the patient
    "ix_measurements_patient_latest": (
        "measurements",
        ["patient_id", "taken_on", "recorded_at", "id"],
    ),
    # the baseline: the first entry under (episode, instrument)
    "ix_measurements_episode_instrument": (
        "measurements",
        ["episode_id", "instrument", "taken_on", "recorded_at", "id"],
    ),
    # the current episode: the last made under the patient
    "ix_episodes_patient_created": ("episodes", ["patient_id", "created_at", "id"]),
    # the open alerts of a patient, by kind
    "ix_alerts_patient_status": ("alerts", ["patient_id", "status", "kind"]),
}


# The episodes holding a correction (few): only theirs have their days checked row by row.
PARTIAL = ("ix_measurements_corrections", "measurements", ["episode_id"], "supersedes IS NOT NULL")

# Replaced: the patient's latest index begins with the patient, so it serves every look-up
# by patient, and a measurement's insert updates one index fewer.
REPLACED = ("ix_measurements_patient_id", "measurements", ["patient_id"])


def upgrade() -> None:
    """Upgrade schema."""
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)
    name, table, columns, where = PARTIAL
    op.create_index(
        name,
        table,
        columns,
        unique=False,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )
    op.drop_index(REPLACED[0], table_name=REPLACED[1])


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index(REPLACED[0], REPLACED[1], REPLACED[2], unique=False)
    op.drop_index(PARTIAL[0], table_name=PARTIAL[1])
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
