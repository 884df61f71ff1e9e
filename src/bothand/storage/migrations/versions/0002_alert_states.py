"""Alert states: who acknowledged an alert and when, who resolved it and when, and the short
notes written then. Alerts are never deleted: a trigger refuses DELETE (and, on PostgreSQL,
TRUNCATE), while UPDATE stays allowed for the state changes (open -> acknowledged ->
resolved), which the store makes with guarded updates.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 22:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEVER_DELETED = "alerts are never deleted: acknowledge or resolve them instead"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("acknowledge_note", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("resolve_note", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_alerts_acknowledged_by_users"), "users", ["acknowledged_by"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_alerts_resolved_by_users"), "users", ["resolved_by"], ["id"]
        )
        batch_op.create_index("ix_alerts_clinic_status", ["clinic_id", "status"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER alerts_no_delete BEFORE DELETE ON alerts "
            f"BEGIN SELECT RAISE(ABORT, '{NEVER_DELETED}'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION alerts_never_deleted() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{NEVER_DELETED}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER alerts_no_delete BEFORE DELETE ON alerts "
        "FOR EACH ROW EXECUTE FUNCTION alerts_never_deleted()"
    )
    op.execute(
        "CREATE TRIGGER alerts_no_truncate BEFORE TRUNCATE ON alerts "
        "FOR EACH STATEMENT EXECUTE FUNCTION alerts_never_deleted()"
    )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS alerts_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS alerts_no_delete ON alerts")
        op.execute("DROP TRIGGER IF EXISTS alerts_no_truncate ON alerts")
        op.execute("DROP FUNCTION IF EXISTS alerts_never_deleted()")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_clinic_status")
        batch_op.drop_constraint(batch_op.f("fk_alerts_resolved_by_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_alerts_acknowledged_by_users"), type_="foreignkey")
        batch_op.drop_column("resolve_note")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("acknowledge_note")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("acknowledged_by")
