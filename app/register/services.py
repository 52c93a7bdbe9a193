"""Importing the register, matching join requests against it, and households from it.

An import replaces the community's register whole (the committee uploads the current list from
the 居委会's records), all or nothing: a file with a bad line writes nothing and names the lines.
Matching folds name and address (full-width to half-width, spaces dropped, lower case), so
"3栋 1单元 201室" and "3栋1单元201室" are the same address."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select

from app.audit.services import record
from app.communities.models import Membership, MembershipStatus
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.labels import Labelled
from app.core.service import commit, require, rolls_back
from app.core.spreadsheet import decode_csv
from app.core.text import clean_plain
from app.extensions import db
from app.voting.households import audit_member
from app.voting.models import Household, HouseholdMember

from . import permissions
from .models import RegisterEntry, RegisterImport

MAX_BYTES = 5_000_000
MAX_PEOPLE = 50_000
# Header names a committee's spreadsheet may use for each column (Chinese or English).
COLUMNS = {
    "name": ("name", "姓名"),
    "address": ("address", "地址", "住址"),
    "household": ("household", "户号", "户", "户主"),
    "phone": ("phone", "电话", "手机", "手机号"),
}
REQUIRED = ("name", "address")
PHONE = re.compile(r"\+?[0-9][0-9 -]{4,19}")
SHOWN_PROBLEMS = 20


class RegisterProblems(DomainError):
    """The lines of an uploaded register that cannot be read; nothing was imported."""

    def __init__(self, problems):
        self.problems = problems[:SHOWN_PROBLEMS]
        self.more = max(0, len(problems) - SHOWN_PROBLEMS)
        super().__init__(_l("The register was not imported: %(count)s lines need fixing.", count=len(problems)))


class MatchKind(Labelled):
    EXACT = "exact", N_("On the register: name and address match")
    ADDRESS = "address", N_("The address is on the register, under other names")
    NONE = "none", N_("Not on the register")


@dataclass(frozen=True)
class Match:
    kind: MatchKind
    at_address: list = field(default_factory=list)  # the register's people at that address

    @property
    def entry(self):
        """The register row of the person (the first, should a name repeat at one address)."""
        return self.at_address[0] if self.kind == MatchKind.EXACT else None


def fold(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


# ---------------------------------------------------------------- reading the file


def _column_positions(header):
    folded = [fold(h) for h in header]
    positions = {}
    for column, names in COLUMNS.items():
        found = [i for i, h in enumerate(folded) if h in names]
        if found:
            positions[column] = found[0]
    return positions


def parse(data):
    """[(line, name, address, household, phone)] from the uploaded bytes, or RegisterProblems."""
    if not data:
        raise RegisterProblems([(1, _l("The file is empty."))])
    if len(data) > MAX_BYTES:
        raise RegisterProblems([(1, _l("The file is larger than %(n)s MB.", n=MAX_BYTES // 1_000_000))])
    text = decode_csv(data)
    if text is None or "\x00" in text:
        raise RegisterProblems([(1, _l("The file is not a CSV text file in UTF-8 or GB18030."))])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        positions = _column_positions(next(reader, None) or [])
        if any(column not in positions for column in REQUIRED):
            raise RegisterProblems(
                [(1, _l("The first line must name the columns: 姓名 (name), 地址 (address), 户号 and 电话 optional."))]
            )
        rows, problems = [], []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(rows) >= MAX_PEOPLE:
                raise RegisterProblems([(line, _l("At most %(n)s people per register.", n=MAX_PEOPLE))])
            value = {c: clean_plain(row[i]) if i < len(row) else "" for c, i in positions.items()}
            name, address = value["name"], value["address"]
            household = value.get("household") or address  # no household column: one household per address
            phone = value.get("phone", "")
            if not name or len(name) > 40:
                problems.append((line, _l("A name is needed, at most 40 characters.")))
            elif not address or len(address) > 120:
                problems.append((line, _l("An address is needed, at most 120 characters.")))
            elif len(household) > 80:
                problems.append((line, _l("The household is at most 80 characters.")))
            elif phone and not PHONE.fullmatch(phone):
                problems.append((line, _l("“%(phone)s” is not a phone number.", phone=phone[:20])))
            else:
                rows.append((line, name, address, household, phone))
    except csv.Error as error:
        raise RegisterProblems(
            [(reader.line_num, _l("The CSV could not be read: %(error)s", error=str(error)))]
        ) from None
    if problems:
        raise RegisterProblems(problems)
    require(rows, _l("The file lists no one."))
    return rows


# ---------------------------------------------------------------- the register


def last_import(community):
    return db.session.scalar(
        select(RegisterImport).where(RegisterImport.community_id == community.id).order_by(RegisterImport.id.desc())
    )


@rolls_back
def import_register(actor, community, data):
    """Replace the community's register with the uploaded file; the community's stated register
    size becomes the number of people on it."""
    require(permissions.can_keep_register(actor, community), _l("Only the committee keeps the resident register."))
    upload = replace_register(actor, community, parse(data))
    commit()
    return upload


def replace_register(actor, community, rows):
    """The import's writes, inside the caller's transaction (the demo loads its register this way)."""
    households = len({fold(household) for _line, _name, _address, household, _phone in rows})
    db.session.execute(delete(RegisterEntry).where(RegisterEntry.community_id == community.id))
    upload = RegisterImport(
        community_id=community.id,
        imported_by_id=actor.id,
        imported_at=clock.now(),
        people=len(rows),
        households=households,
    )
    db.session.add(upload)
    db.session.flush()
    db.session.add_all(
        RegisterEntry(
            community_id=community.id,
            import_id=upload.id,
            line=line,
            name=name,
            address=address,
            household=household,
            phone=phone,
            name_key=fold(name)[:40],
            address_key=fold(address)[:120],
        )
        for line, name, address, household, phone in rows
    )
    previous_size, community.register_size = community.register_size, len(rows)
    # Counts only: the register's names stay out of the audit log, which is public.
    record(
        "register.imported",
        upload,
        actor=actor,
        community=community,
        people=len(rows),
        households=households,
        register_size=[previous_size, len(rows)],
    )
    return upload


def search(community, query="", page=1, per_page=50):
    statement = select(RegisterEntry).where(RegisterEntry.community_id == community.id)
    if query:
        key = f"%{fold(query)}%"
        statement = statement.where(or_(RegisterEntry.name_key.like(key), RegisterEntry.address_key.like(key)))
    return db.paginate(
        statement.order_by(RegisterEntry.address_key, RegisterEntry.id), page=page, per_page=per_page, error_out=False
    )


def match(membership):
    """How a join request (or a member) stands against the register; None without a register."""
    community_id = membership.community_id
    if not db.session.scalar(select(func.count(RegisterImport.id)).where(RegisterImport.community_id == community_id)):
        return None
    at_address = db.session.scalars(
        select(RegisterEntry)
        .where(RegisterEntry.community_id == community_id, RegisterEntry.address_key == fold(membership.address))
        .order_by(RegisterEntry.line)
    ).all()
    name = fold(membership.user.display_name)
    exact = [e for e in at_address if e.name_key == name]
    if exact:
        return Match(MatchKind.EXACT, exact)
    return Match(MatchKind.ADDRESS if at_address else MatchKind.NONE, at_address)


# ---------------------------------------------------------------- households from the register


def _place(membership, actor, households):
    """Put a verified member whose name and address are on the register into the register's
    household; False when they are not on it or already in a household."""
    found = match(membership)
    if found is None or found.kind != MatchKind.EXACT:
        return False
    community_id = membership.community_id
    if db.session.scalar(
        select(HouseholdMember.id).where(
            HouseholdMember.community_id == community_id, HouseholdMember.user_id == membership.user_id
        )
    ):
        return False
    entry = found.entry
    key = fold(entry.household)
    household = households.get(key)
    if household is None:
        household = Household(community_id=community_id, name=entry.household[:80], address=entry.address)
        db.session.add(household)
        db.session.flush()
        households[key] = household
    member = HouseholdMember(household_id=household.id, community_id=community_id, user_id=membership.user_id)
    db.session.add(member)
    db.session.flush()
    audit_member("household.member_added", member, actor, membership.community, source="register")
    return True


def _households_by_name(community_id):
    return {
        fold(h.name): h for h in db.session.scalars(select(Household).where(Household.community_id == community_id))
    }


def place_in_household(membership, actor=None, **_extra):
    """On verification (inside its transaction): a member on the register joins its household."""
    _place(membership, actor, _households_by_name(membership.community_id))


@rolls_back
def households_from_register(actor, community):
    """Place every verified member found on the register in its household; returns how many."""
    require(permissions.can_keep_register(actor, community), _l("Only the committee keeps the resident register."))
    require(last_import(community) is not None, _l("Import the register first."))
    households = _households_by_name(community.id)
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED)
        .order_by(Membership.id)
    ).all()
    placed = sum(_place(membership, actor, households) for membership in memberships)
    commit()
    return placed
