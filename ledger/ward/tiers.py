"""Priority tiers, most urgent first, and the words they carry until a ward names them.

The default words are phrases: JSON and CSV print them in English as always, and tables in
the reader's language; a label the ward gives (`aid recipient tier label`) prints as typed.
"""

from ledger.phrases import N_, Phrase

DEFAULT_LABELS = {
    0: Phrase(N_("F0/F1 quarantined, elderly alone, disabled")),
    1: Phrase(N_("poor and near-poor")),
    2: Phrase(N_("lost income")),
    3: Phrase(N_("other")),
}
