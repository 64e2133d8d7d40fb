"""Scores the round-three held-out corpus (tests/support/nlu_round3_corpus.py, issue 16); never
tuned on.

Written by a helper that saw the label definitions only, and scored once, after the round-three
rules had been made from other data (the development corpus and phrasings of our own). First
run (2026-12-03, dates as the flows record them): intent 157/166 (94.6 %), amount 166/166
(100 %), date 155/166 (93.4 %), all three 149/166 (89.8 %). The goal of ≥ 95 % intent is
missed by one reply. The floors below are that first run: the corpus is a regression check,
and a rule written from its misses would make its score meaningless.

Its misses, for the next round's categories (to be fixed from new data, not from these):
a paid claim with no paying verb ("udah kok pak, cek aja mutasinya"); Javanese "endi"
(where); a bank fee question read as a dispute; an account-number question with "mau tf
sekarang" read as a promise; a cancelled order and a quantity correction ("qty di invoice
120, yg dtg cuma 100") not read as disputes; "dihapus dari daftar pengingat" not read as an
opt-out; "toko buka jam berapa ya besok?" read as a promise; "tgl 25 bulan depan … nunggu
termin" read as an instalment ("termin"). Dates: the vague spans (read as one day and
confirmed by the flows), "mau esuk" (Javanese this morning) and "hari minggu" said on a Friday.

After the round-four rules (made from the second development corpus, whose categories overlap
some of these misses): intent 163/166 (98.2 %), date 157/166, all three 155/166; the floors
follow, so the check guards what is reached, while the first run above stays the held-out score.
"""

from __future__ import annotations

from tests.support.nlu_round3_corpus import CASES, TODAY
from tests.support.nlu_score import report, score

FLOORS = {"intent": 0.981, "amount": 1.0, "date": 0.945, "all": 0.933}


def test_round_three_corpus_scores() -> None:
    """Intent, amount, date and all-three accuracy, printed; each at or above its floor."""
    scores, misses = score(CASES, TODAY)
    print(report(scores, len(CASES)), *misses, sep="\n")
    low = {n: s for n, s in scores.items() if s < FLOORS[n]}
    assert not low, f"below the floor: {low}\n" + "\n".join(misses)


def test_corpus_size() -> None:
    """The corpus keeps its 166 cases, so a score is never out of a trimmed set."""
    assert len(CASES) == 166
