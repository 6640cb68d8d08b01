"""Priority tiers, most urgent first, and the words they carry until a ward names them."""

DEFAULT_LABELS = {
    0: "F0/F1 quarantined, elderly alone, disabled",
    1: "poor and near-poor",
    2: "lost income",
    3: "other",
}
