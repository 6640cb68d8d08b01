"""An RFC 9162 §2.1 Merkle tree over the ledger's events: roots, inclusion and consistency proofs.

Why a tree on top of the chain links: a chain proves nothing to someone who holds only one event;
a tree gives anyone an O(log n) proof that one event is in a published root (a donor's receipt)
and that a later root only added to an earlier one (a witness co-signing a checkpoint).

Two forms, with identical results (the tests hold them to that):

- all leaves in hand (`root`, `inclusion_proof`, `consistency_proof`): direct transcriptions of
  RFC 9162 §2.1.1 MTH, §2.1.3.1 PATH and §2.1.4.1 PROOF/SUBPROOF, for tests and small trees;
- incremental, flat memory for a ledger of millions of events: a `Frontier` (the roots of the
  perfect subtrees that make up the tree so far, at most ⌈log₂ n⌉ hashes) appended to one leaf at
  a time, and a `NodeStore` holding every completed perfect subtree's hash as a (level, index)
  row, from which proofs read O(log n) rows (`*_from_store`).

Node (level, idx) is the hash of leaves [idx·2^level, (idx+1)·2^level); level 0 holds the leaf
hashes. A perfect subtree never changes once complete, so its row is written once, when its last
leaf is appended, and stays valid for every later tree size: proofs against an old size read the
same rows as they did then.

Verifiers (`verify_inclusion`, `verify_consistency`) take untrusted input and answer False for
anything malformed rather than raising. Integers and bytes only: no floats anywhere.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from hmac import compare_digest
from typing import Any, Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) (RFC 9162 §2.1.1)
_sha256 = hashlib.sha256

Row = tuple[int, int, bytes]  # (level, idx, hash)


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 ‖ d): the prefix keeps a leaf from posing as an inner node."""
    return _sha256(b"\x00" + data).digest()


def leaf_hashes(leaves: Iterable[bytes]) -> list[bytes]:
    """`leaf_hash` of each, in one comprehension (a million leaves: no call per leaf)."""
    return [_sha256(b"\x00" + data).digest() for data in leaves]


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): an inner node, domain-separated from leaves."""
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree of n."""
    return 1 << ((n - 1).bit_length() - 1)


def ceil_log2(n: int) -> int:
    """⌈log₂ n⌉ for n ≥ 1 (0 for n ≤ 1): the longest proof a tree of n leaves can need."""
    return (n - 1).bit_length() if n > 1 else 0


def _is_hash(value: Any) -> bool:
    return type(value) is bytes and len(value) == HASH_SIZE


def _is_size(value: Any) -> bool:
    return type(value) is int and value >= 0


# -- all leaves in hand (RFC 9162 §2.1, transcribed) ------------------------------------------


def _mth(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    width = end - start
    if width == 1:
        return leaves[start]
    k = _split(width)
    return node_hash(_mth(leaves, start, start + k), _mth(leaves, start + k, end))


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) (RFC 9162 §2.1.1) of the given leaf hashes; EMPTY_ROOT for none."""
    return _mth(leaf_hashes, 0, len(leaf_hashes)) if leaf_hashes else EMPTY_ROOT


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (RFC 9162 §2.1.3.1): the audit path of leaf `index` (0-based), bottom up."""
    n = len(leaf_hashes)
    if not (_is_size(index) and index < n):
        raise ValueError(f"leaf index {index} is not in a tree of {n} leaves")
    return _path(index, leaf_hashes, 0, n)


def _path(m: int, leaves: Sequence[bytes], start: int, end: int) -> list[bytes]:
    width = end - start
    if width == 1:
        return []
    k = _split(width)
    if m < k:
        return [*_path(m, leaves, start, start + k), _mth(leaves, start + k, end)]
    return [*_path(m - k, leaves, start + k, end), _mth(leaves, start, start + k)]


def consistency_proof(first_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) (RFC 9162 §2.1.4.1) that the first `first_size` leaves are a prefix of all.

    Empty when first_size is 0 or n: nothing to prove (an empty tree is a prefix of any tree)."""
    n = len(leaf_hashes)
    if not (_is_size(first_size) and first_size <= n):
        raise ValueError(f"first size {first_size} is not between 0 and the tree size {n}")
    if first_size == 0:
        return []
    return _subproof(first_size, leaf_hashes, 0, n, True)


def _subproof(m: int, leaves: Sequence[bytes], start: int, end: int, b: bool) -> list[bytes]:
    width = end - start
    if m == width:
        return [] if b else [_mth(leaves, start, end)]
    k = _split(width)
    if m <= k:
        return [*_subproof(m, leaves, start, start + k, b), _mth(leaves, start + k, end)]
    return [*_subproof(m - k, leaves, start + k, end, False), _mth(leaves, start, start + k)]


# -- verification (RFC 9162 §2.1.3.2 and §2.1.4.2, step by step) --------------------------------


def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes],
                     root: bytes) -> bool:
    """True if `proof` shows leaf hash `leaf_hash` at `index` in the tree of `size` with `root`
    (RFC 9162 §2.1.3.2). False for anything malformed: the input is untrusted."""
    if not (_is_size(index) and _is_size(size) and _is_hash(leaf_hash) and _is_hash(root)):
        return False
    if not isinstance(proof, (list, tuple)) or not all(_is_hash(p) for p in proof):
        return False
    # 1. leaf_index >= tree_size: fail.
    if index >= size:
        return False
    # 2.-3.
    fn, sn = index, size - 1
    r = leaf_hash
    # 4.
    for p in proof:
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b.
            r = node_hash(p, r)
            while fn and not fn & 1:  # LSB(fn) unset: shift until it is set or fn is 0
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1  # c.
        sn >>= 1
    # 5.
    return sn == 0 and compare_digest(r, root)


def hash_from_hex(value: object) -> bytes | None:
    """A hash written as hex in a proof someone hands over, or None if it is not one."""
    if not isinstance(value, str) or len(value) != 2 * HASH_SIZE:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def verify_consistency(first_size: int, second_size: int, first_root: bytes,
                       second_root: bytes, proof: Sequence[bytes]) -> bool:
    """True if `proof` shows the tree (second_size, second_root) extends (first_size, first_root)
    (RFC 9162 §2.1.4.2). Equal sizes need equal roots and an empty proof; size 0 needs the empty
    root and an empty proof. False for anything malformed."""
    if not (_is_size(first_size) and _is_size(second_size)
            and _is_hash(first_root) and _is_hash(second_root)):
        return False
    if not isinstance(proof, (list, tuple)) or not all(_is_hash(p) for p in proof):
        return False
    if first_size > second_size:
        return False
    if first_size == 0:
        return not proof and compare_digest(first_root, EMPTY_ROOT)
    if first_size == second_size:
        return not proof and compare_digest(first_root, second_root)
    # 1. An empty consistency_path fails.
    if not proof:
        return False
    path = list(proof)
    # 2. first an exact power of 2: prepend first_hash.
    if first_size & (first_size - 1) == 0:
        path.insert(0, first_root)
    # 3.
    fn, sn = first_size - 1, second_size - 1
    # 4.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b.
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:  # LSB(fn) unset: shift until it is set or fn is 0
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    return compare_digest(fr, first_root) and compare_digest(sr, second_root) and sn == 0


# -- incremental: the frontier and the node store ----------------------------------------------


class NodeStore(Protocol):
    """Where completed perfect subtrees' hashes live: (level, idx) → 32-byte hash, written once."""

    def get(self, level: int, idx: int) -> bytes:
        """The hash of node (level, idx); KeyError if it was never written."""
        ...

    def put(self, rows: Iterable[Row]) -> None:
        """Write new (level, idx, hash) rows, as `Frontier.append` returns them."""
        ...


class Frontier:
    """The compact range of a tree: the roots of its perfect subtrees, largest (leftmost) first.

    A tree of n leaves is the perfect subtrees given by the binary digits of n, so it takes
    popcount(n) hashes, at most ⌈log₂ n⌉ (one for n = 1), to keep appending and to give the
    root: memory stays flat at any size. `append` costs amortised one node hash and returns the nodes it completed, for a
    NodeStore."""

    __slots__ = ("size", "hashes")

    def __init__(self) -> None:
        self.size = 0
        self.hashes: list[bytes] = []

    def append(self, leaf: bytes) -> list[Row]:
        """Add one leaf hash; return the (level, idx, hash) rows completed: the leaf itself and
        each perfect subtree it closes (one per trailing 1-bit of the old size)."""
        if not _is_hash(leaf):
            raise ValueError("a leaf hash is 32 bytes")
        size, hashes = self.size, self.hashes
        rows = [(0, size, leaf)]
        value, level = leaf, 0
        while (size >> level) & 1:
            value = node_hash(hashes.pop(), value)
            level += 1
            rows.append((level, size >> level, value))
        hashes.append(value)
        self.size = size + 1
        return rows

    def extend(self, leaves: Iterable[bytes]) -> list[Row]:
        """Append many leaf hashes; all the rows they complete, for one `NodeStore.put`."""
        rows: list[Row] = []
        for leaf in leaves:
            rows += self.append(leaf)
        return rows

    def extend_levels(self, leaves: Sequence[bytes]) -> list[tuple[int, int, list[bytes]]]:
        """`extend`, a level at a time: the nodes the leaves complete, as (level, idx of the
        first, their hashes in index order) per level, lowest first (each level's new nodes
        are consecutive). The same nodes as `extend` gives, made by one list comprehension per
        level rather than a call per leaf: what a check of a million leaves runs."""
        if set(map(type, leaves)) - {bytes} or set(map(len, leaves)) - {HASH_SIZE}:
            raise ValueError("a leaf hash is 32 bytes")
        size, end = self.size, self.size + len(leaves)
        held = dict(zip([level for level in range(size.bit_length() - 1, -1, -1)
                         if (size >> level) & 1], self.hashes))  # level -> pending left node
        kept: dict[int, bytes] = {}
        done: list[tuple[int, int, list[bytes]]] = []
        nodes, first = list(leaves), size
        for level in range(end.bit_length()):
            if nodes:
                done.append((level, first, nodes))
            if first & 1:  # its left sibling completed before: the frontier holds it
                nodes, first = [held[level], *nodes], first - 1
            if len(nodes) & 1:  # the last one waits for its right sibling
                kept[level] = nodes[-1]
            nodes = [_sha256(b"\x01" + left + right).digest()
                     for left, right in zip(nodes[0::2], nodes[1::2])]
            first >>= 1
        self.size = end
        self.hashes = [kept[level] for level in range(end.bit_length() - 1, -1, -1)
                       if (end >> level) & 1]
        return done

    def root(self) -> bytes:
        """MTH of the tree so far: the subtree roots folded from the right."""
        if not self.hashes:
            return EMPTY_ROOT
        value = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            value = node_hash(left, value)
        return value

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "hashes": [h.hex() for h in self.hashes]}

    @classmethod
    def from_json(cls, data: Any) -> Frontier:
        """The inverse of `to_json`, strict: ValueError for anything that is not a frontier."""
        if not isinstance(data, dict) or set(data) != {"size", "hashes"}:
            raise ValueError("a frontier is {\"size\": ..., \"hashes\": [...]}")
        size, hexes = data["size"], data["hashes"]
        if not _is_size(size):
            raise ValueError(f"frontier size {size!r} is not a whole number")
        if not isinstance(hexes, list) or len(hexes) != size.bit_count():
            raise ValueError(f"a frontier of size {size} has {size.bit_count()} hashes")
        hashes = []
        for h in hexes:
            if not (isinstance(h, str) and re.fullmatch(r"[0-9a-f]{64}", h)):
                raise ValueError(f"frontier hash {h!r} is not 64 lowercase hex digits")
            hashes.append(bytes.fromhex(h))
        frontier = cls()
        frontier.size, frontier.hashes = size, hashes
        return frontier

    @classmethod
    def from_store(cls, size: int, store: NodeStore) -> Frontier:
        """The frontier of the first `size` leaves, read from popcount(size) stored nodes (to
        resume appending after a restart, or to check a stored frontier)."""
        if not _is_size(size):
            raise ValueError(f"tree size {size!r} is not a whole number")
        frontier = cls()
        frontier.size = size
        frontier.hashes = [store.get(level, start >> level)
                           for start, level in _perfect_pieces(0, size)]
        return frontier


# -- proofs from stored nodes --------------------------------------------------------------------


def _perfect_pieces(start: int, end: int) -> list[tuple[int, int]]:
    """The aligned perfect subtrees making up leaves [start, end), as (start, level), largest
    first: the binary digits of the width, highest first. Every range a proof needs is aligned
    (start a multiple of each piece), so each piece is one stored node."""
    pieces = []
    width = end - start
    for level in range(width.bit_length() - 1, -1, -1):
        if (width >> level) & 1:
            pieces.append((start, level))
            start += 1 << level
    return pieces


def _range_hash(start: int, end: int, store: NodeStore) -> bytes:
    """MTH(D[start:end]) from its perfect pieces: MTH splits at the highest binary digit of the
    width, so folding the pieces from the right is exactly MTH."""
    pieces = [store.get(level, piece >> level) for piece, level in _perfect_pieces(start, end)]
    value = pieces[-1]
    for left in reversed(pieces[:-1]):
        value = node_hash(left, value)
    return value


def root_from_store(size: int, store: NodeStore) -> bytes:
    """MTH of the first `size` leaves, from popcount(size) stored nodes."""
    if not _is_size(size):
        raise ValueError(f"tree size {size!r} is not a whole number")
    return _range_hash(0, size, store) if size else EMPTY_ROOT


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs make up PATH(index, D[size]), bottom up (the RFC's order)."""
    ranges = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def _consistency_ranges(first_size: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs make up PROOF(first_size, D[size]), in the RFC's order."""
    ranges = []
    start, end, whole = 0, size, True  # whole: SUBPROOF's b (still on the left edge)
    while True:
        width, m = end - start, first_size - start
        if m == width:
            if not whole:
                ranges.append((start, end))
            break
        k = _split(width)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            whole = False
    ranges.reverse()
    return ranges


def inclusion_proof_from_store(index: int, size: int, store: NodeStore) -> list[bytes]:
    """PATH(index, D[size]) from stored nodes: at most ⌈log₂ size⌉ hashes from O(log size) rows.
    (Each sibling is one stored node, except at most one: the right sibling where the path
    leaves the tree's right edge, folded from popcount(its width) nodes.)"""
    if not (_is_size(index) and _is_size(size) and index < size):
        raise ValueError(f"leaf index {index} is not in a tree of {size} leaves")
    return [_range_hash(a, b, store) for a, b in _inclusion_ranges(index, size)]


def consistency_proof_from_store(first_size: int, size: int, store: NodeStore) -> list[bytes]:
    """PROOF(first_size, D[size]) from stored nodes, O(log size) rows; empty for 0 or size."""
    if not (_is_size(first_size) and _is_size(size) and first_size <= size):
        raise ValueError(f"first size {first_size} is not between 0 and the tree size {size}")
    if first_size in (0, size):
        return []
    return [_range_hash(a, b, store) for a, b in _consistency_ranges(first_size, size)]
