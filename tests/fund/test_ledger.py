"""The fund's arithmetic, pure: examples and properties."""

from hypothesis import given
from hypothesis import strategies as st

from app.fund import ledger
from app.fund.ledger import Entry, Kind, SourceKind

AMOUNTS = st.integers(min_value=1, max_value=1_000_000)
MATTERS = st.integers(min_value=1, max_value=4)


def source(amount, kind=SourceKind.ALLOCATION):
    return Entry(Kind.SOURCE, amount, None, kind)


ENTRIES = st.one_of(
    st.builds(source, AMOUNTS, st.sampled_from(list(SourceKind))),
    st.builds(Entry, st.sampled_from([Kind.COMMITMENT, Kind.PAYMENT, Kind.RELEASE]), AMOUNTS, MATTERS),
)


def reversal(entry):
    return Entry(entry.kind, -entry.amount, entry.matter, entry.source_kind)


def test_balance_is_sources_less_commitments_less_payments_beyond_them():
    entries = [
        source(300_000),
        source(60_000, SourceKind.CHARITY),
        Entry(Kind.COMMITMENT, 40_000, 1),
        Entry(Kind.PAYMENT, 25_000, 1),  # within its commitment: the balance does not move
        Entry(Kind.COMMITMENT, 10_000, 2),
        Entry(Kind.PAYMENT, 12_000, 2),  # 2,000 beyond its commitment
    ]
    f = ledger.figures(entries)
    assert (f.allocation, f.charity, f.other, f.sources) == (300_000, 60_000, 0, 360_000)
    assert (f.commitments, f.payments, f.beyond) == (50_000, 37_000, 2_000)
    assert f.balance == 360_000 - 50_000 - 2_000


def test_release_gives_the_unspent_commitment_back():
    entries = [source(100_000), Entry(Kind.COMMITMENT, 30_000, 1), Entry(Kind.PAYMENT, 26_000, 1)]
    before = ledger.figures(entries)
    committed, paid = ledger.matter_position(entries, 1)
    released = ledger.unspent(committed, paid)
    after = ledger.figures([*entries, Entry(Kind.RELEASE, released, 1)])
    assert released == 4_000
    assert after.balance == before.balance + 4_000
    assert after.committed == 26_000 and after.beyond == 0


def test_a_payment_after_the_release_is_beyond_the_commitment():
    entries = [source(100_000), Entry(Kind.COMMITMENT, 30_000, 1), Entry(Kind.PAYMENT, 26_000, 1)]
    entries.append(Entry(Kind.RELEASE, 4_000, 1))
    assert ledger.beyond_commitment(26_000, 26_000, 1_000) == 1_000
    assert ledger.figures([*entries, Entry(Kind.PAYMENT, 1_000, 1)]).balance == 100_000 - 26_000 - 1_000


def test_beyond_commitment_counts_only_the_part_above_it():
    assert ledger.beyond_commitment(10_000, 0, 10_000) == 0
    assert ledger.beyond_commitment(10_000, 8_000, 3_000) == 1_000
    assert ledger.beyond_commitment(10_000, 12_000, 500) == 500  # already beyond: all of it
    assert ledger.beyond_commitment(0, 0, 700) == 700


def test_shortfall():
    assert ledger.shortfall(50_000, 40_000) == 0
    assert ledger.shortfall(50_000, 50_000) == 0
    assert ledger.shortfall(50_000, 62_000) == 12_000
    assert ledger.shortfall(-5_000, 1_000) == 1_000  # an overdrawn fund has nothing to give


def test_no_entries_no_money():
    f = ledger.figures([])
    assert (f.sources, f.committed, f.payments, f.beyond, f.balance) == (0, 0, 0, 0, 0)


@given(st.lists(ENTRIES, max_size=30), st.randoms())
def test_the_balance_depends_on_the_entries_alone(entries, rng):
    """The same entries, in any order and read any number of times, give the same figures."""
    shuffled = list(entries)
    rng.shuffle(shuffled)
    assert ledger.figures(shuffled) == ledger.figures(entries) == ledger.figures(list(entries))


@given(st.lists(ENTRIES, max_size=30))
def test_the_figures_shown_are_the_sums_of_the_entries(entries):
    f = ledger.figures(entries)

    def total(kind, source_kind=None):
        return sum(
            e.amount for e in entries if e.kind == kind and (source_kind is None or e.source_kind == source_kind)
        )

    assert f.allocation == total(Kind.SOURCE, SourceKind.ALLOCATION)
    assert f.charity == total(Kind.SOURCE, SourceKind.CHARITY)
    assert f.other == total(Kind.SOURCE, SourceKind.OTHER)
    assert f.sources == total(Kind.SOURCE)
    assert f.commitments == total(Kind.COMMITMENT)
    assert f.releases == total(Kind.RELEASE)
    assert f.payments == total(Kind.PAYMENT)
    assert f.balance == f.sources - f.committed - f.beyond
    assert f.beyond >= 0


@given(st.lists(ENTRIES, max_size=30), st.data())
def test_a_reversing_entry_restores_the_figures(entries, data):
    extra = data.draw(ENTRIES)
    assert ledger.figures([*entries, extra, reversal(extra)]) == ledger.figures(entries)
    if entries:
        index = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
        without = entries[:index] + entries[index + 1 :]
        assert ledger.figures([*entries, reversal(entries[index])]).balance == ledger.figures(without).balance


@given(st.lists(ENTRIES, max_size=30), AMOUNTS, MATTERS)
def test_a_commitment_takes_at_most_its_amount(entries, amount, matter):
    before = ledger.figures(entries)
    after = ledger.figures([*entries, Entry(Kind.COMMITMENT, amount, matter)])
    assert 0 <= before.balance - after.balance <= amount
    committed, paid = ledger.matter_position(entries, matter)
    if committed >= paid:  # nothing paid beyond it yet: exactly its amount
        assert before.balance - after.balance == amount


@given(st.lists(ENTRIES, max_size=30), AMOUNTS, MATTERS)
def test_a_payment_moves_the_balance_by_its_part_beyond_the_commitment(entries, amount, matter):
    before = ledger.figures(entries)
    committed, paid = ledger.matter_position(entries, matter)
    after = ledger.figures([*entries, Entry(Kind.PAYMENT, amount, matter)])
    assert before.balance - after.balance == ledger.beyond_commitment(committed, paid, amount)
