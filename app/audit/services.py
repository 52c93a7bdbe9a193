"""Writing and checking the audit chain."""
import hashlib

from sqlalchemy import func, select, text

from app.extensions import db
from app.models_base import utcnow

from .models import AuditEntry, AuditHead, canonical

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x5745495949  # "WEIYI": serialises appends on PostgreSQL


def _digest(prev_hash, payload):
    return hashlib.sha256(prev_hash.encode() + payload).hexdigest()


def record(action, obj=None, *, actor=None, community=None, object_type=None, object_id=None, **data):
    """Append an entry in the caller's transaction, so it commits or rolls back with the change."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry_id = (last.id + 1) if last else 1
    prev_hash = last.hash if last else GENESIS
    if obj is not None:
        session.flush()
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else obj.id
    actor_id = getattr(actor, "id", None)
    community_id = getattr(community, "id", community)
    at = utcnow()
    data = {k: v for k, v in data.items() if v is not None}
    payload = canonical(entry_id, at, actor_id, community_id, action, object_type or "", object_id, data)
    entry = AuditEntry(
        id=entry_id, at=at, actor_id=actor_id, community_id=community_id, action=action,
        object_type=object_type or "", object_id=object_id, data=data,
        prev_hash=prev_hash, hash=_digest(prev_hash, payload),
    )
    session.add(entry)
    head = session.get(AuditHead, 1)
    if head is None:
        session.add(AuditHead(id=1, last_id=entry_id, last_hash=entry.hash))
    else:
        head.last_id, head.last_hash = entry_id, entry.hash
    return entry


def verify(session=None):
    """Walk the chain; return a list of problems (empty when intact).

    `session`: another database's session (e.g. a backup file being checked); default the app's.
    """
    session = session or db.session
    problems = []
    prev_hash = GENESIS
    expected_id = 1
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows:
        if entry.id != expected_id:
            problems.append(f"entries {expected_id}..{entry.id - 1} are missing (deleted)")
        if entry.prev_hash != prev_hash:
            problems.append(f"entry {entry.id}: link to the previous entry is broken")
        payload = canonical(entry.id, entry.at, entry.actor_id, entry.community_id, entry.action,
                            entry.object_type, entry.object_id, entry.data)
        if _digest(entry.prev_hash, payload) != entry.hash:
            problems.append(f"entry {entry.id}: content was edited")
        prev_hash = entry.hash
        expected_id = entry.id + 1
    head = session.get(AuditHead, 1)
    last_id = expected_id - 1
    if head is None:
        if last_id:
            problems.append("the head record is missing: the end of the log cannot be checked")
    elif head.last_id > last_id:
        problems.append(f"entries {last_id + 1}..{head.last_id} are missing at the end (deleted)")
    elif head.last_id < last_id or head.last_hash != prev_hash:
        problems.append(f"entry {last_id}: does not match the head record (added or edited outside the app)")
    return problems


def count(session=None):
    return (session or db.session).scalar(select(func.count(AuditEntry.id)))
