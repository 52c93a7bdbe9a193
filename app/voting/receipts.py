"""Receipt codes: one random code per voter per round, kept on the register row.

A code is drawn at random (not derived from the ballot), stays the same when the voter casts a
new ballot, and is never stored or published next to choices: it proves that the voter's ballot
is in the box, and after the count that it was counted, never what it said or that it was replaced.
"""

import secrets

# Letters and digits that are not easily confused when read aloud or typed from paper (no I, O, 0, 1).
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 12  # 60 random bits


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text):
    """What a person typed -> the stored form: upper case, without dashes or spaces."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[: LENGTH + 4]


def format_code(code):
    """ABCD-EFGH-JKLM, as shown and printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
