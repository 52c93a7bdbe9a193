"""Writing and checking the audit chain, and its head: published so that copies outside the system
witness it (someone able to write the database can rewrite entries and recompute every later hash;
a head printed on a notice or kept by a feed reader then no longer matches)."""

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.orm.attributes import set_committed_value

from app.core import clock, versions
from app.core.versions import SITE
from app.extensions import db, write_lock

from .models import AuditEntry, AuditHead, canonical

GENESIS = "0" * 64
SHORT = 12  # hex digits of the short form printed for people (48 bits)
_PG_LOCK_KEY = 0x5745495949  # "WEIYI": serialises appends on PostgreSQL
_HEAD_TEXT = re.compile(rf"^\s*(\d{{1,12}})\s*:\s*([0-9a-fA-F]{{{SHORT},64}})\s*$")
_LISTED = 5  # entries named one by one in a problem before "… (N in all)"
_INSERT_ENTRY = AuditEntry.__table__.insert()
_READ_HEAD = select(AuditHead.__table__.c.last_id, AuditHead.__table__.c.last_hash).where(AuditHead.__table__.c.id == 1)
# Built once: building and keying an UPDATE cost more than running it.
_MOVE_HEAD = AuditHead.__table__.update().where(AuditHead.__table__.c.id == 1)


def _digest(prev_hash, payload):
    return hashlib.sha256(prev_hash.encode() + payload).hexdigest()


def audit_key():
    """AUDIT_KEY from the environment (never the database), or None."""
    return current_app.config.get("AUDIT_KEY") or None


def sign(entry_hash, key):
    return hmac.new(key.encode(), entry_hash.encode(), hashlib.sha256).hexdigest()


def record(action, obj=None, *, actor=None, community=None, object_type=None, object_id=None, **data):
    """Append an entry in the caller's transaction, so it commits or rolls back with the change."""
    session = db.session
    connection = session.connection()
    # The head is read under the lock that serialises appends, so that two writers never link to it
    # both: PostgreSQL's advisory lock, SQLite's write lock (app.extensions.write_lock).
    if connection.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    else:
        write_lock(connection)
    if obj is not None:
        session.flush()  # the caller's change, whose id the entry names
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else obj.id
    # Read from its own row, afresh, on the transaction's connection: under the lock, and after any
    # append earlier in this transaction (each moves the row at once, below). One round trip and
    # none of the ORM's loading (a copy in the identity map may be older than the lock anyway).
    head_row = connection.execute(_READ_HEAD).first()
    entry_id = (head_row.last_id + 1) if head_row else 1
    prev_hash = head_row.last_hash if head_row else GENESIS
    actor_id = getattr(actor, "id", None)
    community_id = getattr(community, "id", community)
    at = clock.utcnow()
    data = {k: v for k, v in data.items() if v is not None}
    payload = canonical(entry_id, at, actor_id, community_id, action, object_type or "", object_id, data)
    entry_hash = _digest(prev_hash, payload)
    key = audit_key()
    values = {
        "id": entry_id,
        "at": at,
        "actor_id": actor_id,
        "community_id": community_id,
        "action": action,
        "object_type": object_type or "",
        "object_id": object_id,
        "data": data,
        "prev_hash": prev_hash,
        "hash": entry_hash,
        "mac": sign(entry_hash, key) if key else None,
    }
    # Written now, as the head is: no flush of the session's own for it (one per audited write).
    # It changes its community's data version, as the row flushed by the ORM would.
    versions.write_in(connection, _INSERT_ENTRY, values, SITE if community_id is None else community_id)
    _move_head(session, connection, entry_id, entry_hash, first=head_row is None)


def _move_head(session, connection, last_id, last_hash, *, first):
    """Point the head at the new entry in the caller's transaction (written now, the entry at the
    next flush: a rollback takes back both), and the session's copy of it, if it holds one."""
    values = {"last_id": last_id, "last_hash": last_hash}
    if first:
        connection.execute(AuditHead.__table__.insert().values(id=1, **values))
    else:
        connection.execute(_MOVE_HEAD, values)
    kept = session.identity_map.get(session.identity_key(AuditHead, 1))
    if kept is not None:
        for key, value in values.items():
            set_committed_value(kept, key, value)


# --- The head -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """(number of entries, hash of the last one): what pages, the feed and the API publish."""

    entries: int
    hash: str

    @property
    def short(self):
        return self.hash[:SHORT]

    @property
    def token(self):
        """COUNT:HASH, the form `flask audit verify --head` takes."""
        return f"{self.entries}:{self.hash}"


def head(session=None):
    """The current head: one read of the head record (the session's identity map keeps it)."""
    row = (session or db.session).get(AuditHead, 1)
    return Head(row.last_id, row.last_hash) if row else Head(0, GENESIS)


def parse_head(value):
    """COUNT:HASH as published (the hash in full, or at least its 12-digit short form) -> Head."""
    match = _HEAD_TEXT.match(value or "")
    if not match:
        raise ValueError(
            f"{value!r} is not a published head: expected COUNT:HASH, e.g. 1234:{'0' * 64} "
            f"(at least the first {SHORT} hex digits of the hash)"
        )
    return Head(int(match.group(1)), match.group(2).lower())


# --- Checking -------------------------------------------------------------------------------------


@dataclass
class Report:
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # facts worth saying that are not damage
    entries: int = 0
    signed: int = 0
    keyed: bool = False  # signatures were checked against AUDIT_KEY


def _listed(ids):
    """ "entry 3" or "entries 2, 3, 4" (the first few, then how many in all)."""
    shown = ", ".join(str(i) for i in ids[:_LISTED])
    more = f", … ({len(ids)} in all)" if len(ids) > _LISTED else ""
    return f"entry {shown}" if len(ids) == 1 else f"entries {shown}{more}"


def check(session=None, heads=()):
    """Walk the chain once: links, hashes, the head record, signatures (when AUDIT_KEY is set) and
    every published head in `heads`. `session`: another database's (a backup being checked)."""
    session = session or db.session
    key = audit_key()
    report = Report(keyed=bool(key))
    problems = report.problems
    wanted = {h.entries for h in heads}
    seen = {}  # entry id -> stored hash, for the published heads
    bad_mac, unsigned_late, unsigned_early = [], [], 0
    prev_hash = GENESIS
    expected_id = 1
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows:
        if entry.id != expected_id:
            problems.append(f"entries {expected_id}..{entry.id - 1} are missing (deleted)")
        if entry.prev_hash != prev_hash:
            problems.append(f"entry {entry.id}: link to the previous entry is broken")
        payload = canonical(
            entry.id,
            entry.at,
            entry.actor_id,
            entry.community_id,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.data,
        )
        if _digest(entry.prev_hash, payload) != entry.hash:
            problems.append(f"entry {entry.id}: content was edited")
        if entry.mac is not None:
            report.signed += 1
            if key and not hmac.compare_digest(entry.mac, sign(entry.hash, key)):
                bad_mac.append(entry.id)
        elif report.signed:
            unsigned_late.append(entry.id)
        else:
            unsigned_early += 1
        if entry.id in wanted:
            seen[entry.id] = entry.hash
        report.entries += 1
        prev_hash = entry.hash
        expected_id = entry.id + 1
    last_id = expected_id - 1
    head_row = session.get(AuditHead, 1)
    if head_row is None:
        if last_id:
            problems.append("the head record is missing: the end of the log cannot be checked")
    elif head_row.last_id > last_id:
        problems.append(f"entries {last_id + 1}..{head_row.last_id} are missing at the end (deleted)")
    elif head_row.last_id < last_id or head_row.last_hash != prev_hash:
        problems.append(f"entry {last_id}: does not match the head record (added or edited outside the app)")
    if key:
        if bad_mac:
            problems.append(
                f"{_listed(bad_mac)}: signature does not match AUDIT_KEY "
                f"(rewritten by someone without the key, or the key was changed)"
            )
        if unsigned_late:
            problems.append(
                f"{_listed(unsigned_late)}: not signed although an earlier entry is "
                f"(signature removed, or written while AUDIT_KEY was not set)"
            )
        if unsigned_early:
            report.notes.append(
                f"{unsigned_early} entries written before AUDIT_KEY was set are not signed "
                f"(their hashes are checked, their signatures cannot be)"
            )
    elif report.signed:
        report.notes.append(f"{report.signed} entries are signed; set AUDIT_KEY to check their signatures")
    _check_heads(report, heads, seen, last_id)
    return report


def _check_heads(report, heads, seen, last_id):
    """A published head still holds when its entry is there with the same hash (the walk above checks
    everything up to it). A chain rewritten with recomputed hashes can only be caught this way; the
    latest head that still holds narrows down where."""
    held = []
    for published in sorted(heads, key=lambda h: h.entries):
        stored = GENESIS if published.entries == 0 else seen.get(published.entries)
        if stored is not None and stored.startswith(published.hash):
            held.append(published.entries)
            form = "" if len(published.hash) == 64 else f" (short form: {len(published.hash) * 4} bits)"
            report.notes.append(f"the log still contains head {published.entries}:{published.hash}{form}")
            continue
        since = max((n for n in held if n < published.entries), default=None)
        where = (
            f"between entries {since + 1} and {published.entries}"
            if since is not None
            else f"at or before entry {published.entries}"
        )
        if stored is None and published.entries > last_id:
            report.problems.append(
                f"published head {published.entries}:{published.hash}: the log ends at entry {last_id} "
                f"(entries were cut off the end, or an older backup was restored)"
            )
        elif stored is None:
            report.problems.append(
                f"published head {published.entries}:{published.hash}: entry {published.entries} is missing (deleted)"
            )
        else:
            report.problems.append(
                f"published head {published.entries}:{published.hash}: entry {published.entries} now has "
                f"hash {stored}: the log was rewritten {where}"
            )


def verify(session=None):
    """The problems found (empty when intact); see check()."""
    return check(session).problems


def count(session=None):
    return (session or db.session).scalar(select(func.count(AuditEntry.id)))
