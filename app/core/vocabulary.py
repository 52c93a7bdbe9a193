"""The words micro-matters and the consultation rules share: categories (the negative list names
them) and project types (each has its cost cap). Below both features, so neither imports the other
for them."""

from enum import StrEnum

from app.core.i18n import N_


class Category(StrEnum):
    ELDERLY = "elderly"
    CHILDREN = "children"
    ACCESSIBILITY = "accessibility"
    GREENING = "greening"
    FACILITIES = "facilities"
    SAFETY = "safety"
    CULTURE = "culture"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.ELDERLY: N_("Elderly care"),
    Category.CHILDREN: N_("Children"),
    Category.ACCESSIBILITY: N_("Accessibility"),
    Category.GREENING: N_("Environment and greening"),
    Category.FACILITIES: N_("Public facilities"),
    Category.SAFETY: N_("Safety"),
    Category.CULTURE: N_("Culture and sport"),
    Category.OTHER: N_("Other"),
}


class ProjectType(StrEnum):
    SERVICE = "service"
    GOODS = "goods"
    WORKS = "works"


PROJECT_TYPE_LABELS = {
    ProjectType.SERVICE: N_("Service (服务)"),
    ProjectType.GOODS: N_("Goods (货物)"),
    ProjectType.WORKS: N_("Works (工程)"),
}
