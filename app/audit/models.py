from datetime import datetime

from sqlalchemy import JSON, ForeignKey, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.models_base import CreatedAt, IntPK


class AuditEntry(db.Model):
    """One recorded action. Rows are only ever inserted (see the guard below)."""

    id: Mapped[IntPK]
    at: Mapped[CreatedAt]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    action: Mapped[str] = mapped_column(db.String(60), index=True)
    object_type: Mapped[str] = mapped_column(db.String(40))
    object_id: Mapped[int | None]
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(db.String(64))
    hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    # HMAC-SHA256 of `hash` with AUDIT_KEY (kept outside the database); NULL when no key was set.
    mac: Mapped[str | None] = mapped_column(db.String(64))


class AuditHead(db.Model):
    """One row: the newest entry's id and hash, moved forward in the same transaction as every
    append, so that entries cut off the end of the log are noticed by verify()."""

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    last_id: Mapped[int]
    last_hash: Mapped[str] = mapped_column(db.String(64))


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper, _connection, target):
    raise PermissionError(f"audit entry {target.id} is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state):
    """`session.execute(update(AuditEntry)...)` and bulk deletes skip the mapper events above."""
    if (
        (state.is_update or state.is_delete)
        and state.bind_mapper is not None
        and state.bind_mapper.class_ is AuditEntry
    ):
        raise PermissionError("audit entries are append-only")


def canonical(entry_id, at: datetime, actor_id, community_id, action, object_type, object_id, data):
    """The exact bytes a hash covers; verify() recomputes it from the stored row."""
    import json

    return json.dumps(
        [entry_id, at.isoformat(timespec="microseconds"), actor_id, community_id, action, object_type, object_id, data],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()
