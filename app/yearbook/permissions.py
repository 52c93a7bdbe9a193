"""Who reads the yearly record. Both reports are public: they hold counts, sums, rates, titles and
dates that the community's own pages already publish (notices, results, minutes, the fund ledger),
and no resident's name: attendance is a number, objections are counted, not quoted."""


def can_read_community_report(_user, _community):
    return True


def can_read_street_report(_user, _street):
    """The street's report holds only its communities' public figures (H9's dashboard, which also
    lists exceptions and officers' notes, stays with the street's staff)."""
    return True
