"""Plain helpers for the fund tests."""

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.fund import services
from app.fund.models import FundEntry


def year():
    return clock.local_today().year


def entries(community, kind=None):
    query = select(FundEntry).where(FundEntry.community_id == community.id).order_by(FundEntry.id)
    if kind:
        query = query.where(FundEntry.kind == kind)
    return db.session.scalars(query).all()


def figures(community):
    return services.figures_of(community, year())


def add_source(committee, community, amount, **kw):
    return services.record_source(
        committee,
        community,
        year(),
        source_kind=kw.pop("source_kind", "allocation"),
        amount=amount,
        entry_date=clock.local_today(),
        **kw,
    )
