"""The words micro-matters and the consultation rules share: categories (the negative list names
them) and project types (each has its cost cap). Below both features, so neither imports the other
for them. Also the channels of entries on behalf of residents, which micro-matters and the tracker
store with the acts."""

from app.core.i18n import N_
from app.core.labels import Labelled


class Category(Labelled):
    ELDERLY = "elderly", N_("Elderly care")
    CHILDREN = "children", N_("Children")
    ACCESSIBILITY = "accessibility", N_("Accessibility")
    GREENING = "greening", N_("Environment and greening")
    FACILITIES = "facilities", N_("Public facilities")
    SAFETY = "safety", N_("Safety")
    CULTURE = "culture", N_("Culture and sport")
    OTHER = "other", N_("Other")


class ProjectType(Labelled):
    SERVICE = "service", N_("Service (服务)")
    GOODS = "goods", N_("Goods (货物)")
    WORKS = "works", N_("Works (工程)")


class EntryChannel(Labelled):
    """How a committee member or grid worker heard what they recorded for a resident (代录): the
    proposal, support, comment or rating stored as the resident's, with this channel beside it."""

    PAPER = "paper", N_("Paper form")
    PHONE = "phone", N_("Phone call")
    VISIT = "visit", N_("Home visit")
    BOX = "box", N_("Suggestion box")
