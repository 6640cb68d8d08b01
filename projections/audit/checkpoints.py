"""Checkpoints held outside the ledger, checked against the events themselves (issue 26).

A checkpoint (a donor's receipt's, the district's, one printed on a statement) states the root
of the ledger's Merkle tree over its first `size` events. This recomputes those roots from the
stored events, one pass with flat memory (a frontier of at most ⌈log₂ n⌉ hashes), never from
the stored tree: derived data is not trusted by an audit. An event edited, deleted, inserted or
moved among the first `size` changes the root; the checkpoint then names the rewrite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ledger.phrases import N_, Phrase
from ledger.store.tree import roots_at
from ledger.trust.chain import StoredRow


def findings(rows: Iterable[StoredRow], notes: Sequence[Any]) -> list[tuple[bool, Phrase]]:
    """(ok, what it says) for each parsed checkpoint (`ledger.trust.checkpoint.Checkpoint`)."""
    roots, events = roots_at(rows, [note.size for note in notes])
    told = []
    for note in notes:
        label = Phrase(N_("checkpoint of {size} events (root {root}…)"), size=note.size,
                       root=note.root.hex()[:16])
        if note.size > events:
            told.append((False, Phrase(N_("{checkpoint}: the ledger holds only {events} events: "
                                          "history was cut short after it was taken"),
                                       checkpoint=label, events=events)))
        elif roots[note.size] != note.root:
            told.append((False, Phrase(N_("{checkpoint}: not held: the ledger's first {size} "
                                          "events have root {ours}…: an event before it was "
                                          "edited, deleted, inserted or moved"),
                                       checkpoint=label, size=note.size,
                                       ours=roots[note.size].hex()[:16])))
        else:
            told.append((True, Phrase(N_("{checkpoint}: ok, the ledger extends it by {events} "
                                         "events"), checkpoint=label,
                                      events=events - note.size)))
    return told
