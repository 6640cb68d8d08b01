"""What a signer last checked of a ledger before signing it, kept on the signer's machine.

A checkpoint or a receipt is signed only over a ledger whose history checks (chain, seals, the
stored Merkle tree: `projections.audit.public.check_history`), which reads every event: seconds
at a million. So the signer keeps where that check ended (`Checked`), beside the signing key
and signed with it, and the next signing checks only the events written since. Kept outside
the ledger: whoever holds the ledger's file, but not this machine and this key, can neither
forge nor edit it (a copy that does not verify under the key, or names another ledger, is
ignored, and the whole history is read again). Losing it costs one full read, nothing else.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from projections.audit.public import Checked

FOLDER = "checked"  # beside the signing key file


def _path(own: Any, origin: str) -> Path:
    identity = origin.rsplit("/", 1)[-1]
    return own.path.parent / FOLDER / f"{identity}-{own.key}.json"


def _signed(origin: str, key: str, checked: dict[str, Any]) -> bytes:
    return json.dumps({"origin": origin, "key": key, "checked": checked}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True).encode()


def recall(own: Any, origin: str) -> Checked | None:
    """Where this key's holder last checked ledger `origin`, if kept and signed by this key."""
    from ledger.trust.seal_bytes import signature_ok

    try:
        kept = json.loads(_path(own, origin).read_text(encoding="utf-8"))
        body = _signed(origin, own.key, kept["checked"])
        if kept.get("origin") != origin or not signature_ok(own.public, kept["signature"], body):
            return None
        return Checked.from_json(kept["checked"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def keep(own: Any, origin: str, checked: Checked) -> None:
    """Remember `checked` for the next signing; a folder that cannot be written only means the
    next signing reads the whole history again."""
    data = checked.to_json()
    signature = base64.b64encode(own.sign(_signed(origin, own.key, data))).decode()
    path = _path(own, origin)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        spare = path.with_name(f"{path.name}.{os.getpid()}")
        spare.write_text(json.dumps({"origin": origin, "key": own.key, "checked": data,
                                     "signature": signature}), encoding="utf-8")
        spare.replace(path)  # whole or not at all, whoever signs at the same moment
    except OSError:
        return
