"""The voters and open rounds the ballot benches cast into (bench/ballot_storm.py, ballot_cpu.py,
voting_cast.py): one community, its committee, verified residents and open approval rounds."""


def populate(voters, rounds, *, slug, options_per_round=3, budget=50_000, max_choices=2):
    """In an app context: the community `slug`, its committee, `voters` verified residents and
    `rounds` open approval rounds of `options_per_round` micro-matters each (costing 10,000, 20,000,
    ...). Returns ({"rounds": [{"id", "options"}]}, the voters' User rows)."""
    from datetime import timedelta

    from werkzeug.security import generate_password_hash

    from app.auth.models import User
    from app.communities.models import Community, Membership, MembershipStatus, Role
    from app.extensions import db
    from app.matters.models import MicroMatter
    from app.models_base import utcnow
    from app.rules.models import RuleSet
    from app.voting import rounds as round_services

    community = Community(slug=slug, name="压测社区", district="姑苏区", register_size=voters, annual_budget=300_000)
    db.session.add(community)
    db.session.flush()
    db.session.add(RuleSet(community_id=community.id, version=1))
    # Nobody logs in (the benches sign session cookies): a cheap hash is enough.
    unused = generate_password_hash("not-used-by-the-bench", method="pbkdf2:sha256:1000")
    committee = User(username="committee", display_name="居委会", password_hash=unused)
    db.session.add(committee)
    db.session.flush()
    db.session.add(
        Membership(
            user_id=committee.id, community_id=community.id, role=Role.COMMITTEE, status=MembershipStatus.VERIFIED
        )
    )
    users = [User(username=f"voter{i}", display_name=f"居民{i}", password_hash=unused) for i in range(voters)]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        [
            Membership(
                user_id=u.id,
                community_id=community.id,
                role=Role.RESIDENT,
                status=MembershipStatus.VERIFIED,
                address="1栋",
            )
            for u in users
        ]
    )
    db.session.commit()
    now = utcnow()
    opened = []
    for r in range(rounds):
        matters = [
            MicroMatter(
                community_id=community.id,
                proposer_id=committee.id,
                title=f"项目{r}-{k}",
                description="-",
                description_html="-",
                category="other",
                location="-",
                estimated_cost=10_000 * (k + 1),
                project_type="goods",
                status="on_agenda",
            )
            for k in range(options_per_round)
        ]
        db.session.add_all(matters)
        db.session.commit()
        voting_round = round_services.open_round(
            committee,
            community,
            title=f"压测第{r + 1}轮",
            method="approval",
            allocation="greedy",
            budget=budget,
            max_choices=max_choices,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
            allow_changes=False,
            options=[(m.id, m.estimated_cost) for m in matters],
        )
        opened.append({"id": voting_round.id, "options": [o.id for o in voting_round.options]})
    return {"rounds": opened}, users
