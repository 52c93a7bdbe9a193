"""The words micro-matters and the consultation rules share: categories (the negative list names
them) and project types (each has its cost cap). Below both features, so neither imports the other
for them."""

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
