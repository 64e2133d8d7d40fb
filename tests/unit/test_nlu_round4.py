"""Scores the round-four held-out corpus (tests/support/nlu_round4_corpus.py, issue 16); never
tuned on.

Written by a helper that saw the label definitions only, and scored once, after the round-four
rules had been made from the second development corpus (tests/support/nlu_dev2_corpus.py) and
phrasings of our own. First run (2026-12-03, dates as the flows record them): intent 180/189
(95.2 %), amount 189/189 (100 %), date 180/189 (95.2 %), all three 172/189 (91.0 %). The
goal of ≥ 95 % intent is met on this first run. The floors are that run.

Its misses, for a next round to fix from new data: Minang "lah ambo bayia kapatang" (already
paid yesterday) read as a promise; "kode bayar alfamart nya dong" (a payment code asked for);
a card surcharge question read as an instalment ("3%"); "kok ada PPN nya? kan kita bukan PKP"
(a tax charged to a non-taxable firm); Sundanese "teu acan dongkap" (not yet arrived); "ngobrol
karo wong … ora karo bot"; "tidak lagi mengirimkan pengingat" (negation before "lagi");
"ga usah ngingetin lagi"; "keluarin sy dr broadcast ini".
"""

from __future__ import annotations

from tests.support.nlu_round4_corpus import CASES, TODAY
from tests.support.nlu_score import report, score

FLOORS = {"intent": 0.952, "amount": 1.0, "date": 0.952, "all": 0.910}


def test_round_four_corpus_scores() -> None:
    """Intent, amount, date and all-three accuracy, printed; each at or above its floor."""
    scores, misses = score(CASES, TODAY)
    print(report(scores, len(CASES)), *misses, sep="\n")
    low = {n: s for n, s in scores.items() if s < FLOORS[n]}
    assert not low, f"below the floor: {low}\n" + "\n".join(misses)


def test_corpus_size() -> None:
    """The corpus keeps its 189 cases, so a score is never out of a trimmed set."""
    assert len(CASES) == 189
