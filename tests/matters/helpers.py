"""Plain helpers for the micro-matter tests: the support threshold their community uses and
the fields of a valid proposal."""

THRESHOLD = 3

FIELDS = {
    "title": "5栋门口加装无障碍坡道",
    "description": "5栋入口有三级台阶，**坐轮椅**的住户和推婴儿车的家长出入很不方便。\n\n- 加装坡道\n- 加装扶手",
    "category": "accessibility",
    "location": "5栋单元门口",
    "estimated_cost": "12000",
    "project_type": "works",
}


def fields(**changes):
    return {**FIELDS, **changes}
