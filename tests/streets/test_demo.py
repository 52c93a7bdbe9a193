"""The demo: 双塔街道 holds the demo community and two small ones with a year of data; the account
`street` reads the dashboard and the exceptions, and every link on them opens."""

import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.streets import exceptions, figures
from app.streets.models import Street
from tests.helpers import login


@pytest.mark.slow
def test_demo_street_with_three_communities_and_exceptions(app, client, load_demo):
    context = load_demo()  # every step of app.demo.STEPS
    street = db.session.scalar(select(Street).where(Street.slug == "shuangta"))
    assert street.name == "双塔街道"
    assert sorted(c.slug for c in street.communities) == ["jinfan", "nanyuan", "xinglin"]
    year = context["street"].communities[0].created_at.year
    rows = {row["slug"]: row for row in figures.street_year_figures(street, year)}
    for slug in ("nanyuan", "jinfan"):
        assert rows[slug]["matters"] >= 3 and rows[slug]["meetings"] >= 3 and rows[slug]["decisions"] == 2
        assert rows[slug]["accepted"] >= 1 and rows[slug]["spent"] > 0
    assert rows["nanyuan"]["volunteer_hours"] == 6
    assert rows["jinfan"]["on_time"] == 50.0 and rows["nanyuan"]["on_time"] == 100.0
    found = exceptions.exceptions_of(street.communities, year)
    assert any(e.community.slug == "nanyuan" for e in found["overdue"])
    assert any(e.community.slug == "jinfan" for e in found["rectification"])
    assert [e.community.slug for e in found["meetings"]] == ["jinfan"]

    street_user = db.session.scalar(select(User).where(User.username == "street"))
    login(client, street_user, "password123")
    links = set()
    for path in ("/street/shuangta/", "/street/shuangta/exceptions"):
        response = client.get(path)
        assert response.status_code == 200 and len(response.data) < 50_000, path
        links |= set(re.findall(r'href="(/c/[^"#]+)', response.get_data(as_text=True)))
    assert len(links) > 10
    for link in sorted(links):
        assert client.get(link).status_code in (200, 403), link  # committee-only pages say so, never 500
