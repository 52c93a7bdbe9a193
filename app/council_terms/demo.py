"""Demo step: the council elected at last spring's residents' meeting for three years (one member
appointed later), and one substitute next in line. Uses context["community"], ["committee"],
["council"] (chair first), ["residents"]."""

from datetime import date

from app.core import clock

from . import services, substitute_list
from .models import ChosenHow


def load(context):
    community, committee = context["community"], context["committee"]
    year = clock.local_today().year - 1
    election = f"{year}年3月居民会议"
    *elected, appointed = context["council"]
    terms = [(member, date(year, 3, 20), ChosenHow.ELECTED, election) for member in elected]
    terms.append((appointed, date(year, 9, 1), ChosenHow.APPOINTED, f"{year}年8月居委会会议（补选）"))
    for member, starts_on, chosen_how, chosen_by in terms:  # every term ends with the council's
        services.add_term(
            committee,
            community,
            user_id=member.id,
            starts_on=starts_on,
            ends_on=date(year + 3, 3, 19),
            chosen_how=chosen_how,
            chosen_by=chosen_by,
        )
    substitute_list.add_substitute(committee, community, user_id=context["residents"][0].id, chosen_by=election)
