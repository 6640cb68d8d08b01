"""The RFC 9162 Merkle tree (ledger/trust/merkle.py): known answers, the edges, the algorithms'
properties, the stored form against the all-leaves form, and an independent implementation."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.trust.merkle import (
    EMPTY_ROOT,
    Frontier,
    ceil_log2,
    consistency_proof,
    consistency_proof_from_store,
    inclusion_proof,
    inclusion_proof_from_store,
    leaf_hash,
    node_hash,
    root,
    root_from_store,
    verify_consistency,
    verify_inclusion,
)

# The RFC 6962 test tree that Certificate Transparency implementations share (eight leaves of
# growing length, the first one empty) with its roots for sizes 1..8 and a few of its proofs.
VECTOR_LEAVES = [bytes.fromhex(x) for x in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
VECTOR_ROOTS = [bytes.fromhex(x) for x in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
# (0-based leaf index, tree size, audit path)
VECTOR_INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (0, 1, []),
]
# (first size, second size, proof)
VECTOR_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]
EDGE_SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9]



class DictNodeStore:
    """A NodeStore in a dict: the reference the stored tree's proofs are checked against."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, idx: int) -> bytes:
        return self.nodes[level, idx]

    def put(self, rows) -> None:
        for level, idx, value in rows:
            if self.nodes.setdefault((level, idx), value) != value:
                raise ValueError(f"node ({level}, {idx}) is already stored with another hash")


def leaves(n: int, salt: bytes = b"") -> list[bytes]:
    """n distinct leaf hashes (distinct, so that a proof for one leaf can never verify another)."""
    return [leaf_hash(salt + b"event %d" % i) for i in range(n)]


def stored(hashes: list[bytes]) -> tuple[Frontier, DictNodeStore]:
    frontier, store = Frontier(), DictNodeStore()
    for h in hashes:
        store.put(frontier.append(h))
    return frontier, store


def other_checkpoints(grown: list[bytes], size: int) -> list[tuple[int, bytes]]:
    """Other (size, root) pairs of the same log, which went on to `grown` leaves."""
    return [(k, root(grown[:k])) for k in sorted({size - 1, size + 1, size * 2, size // 2})
            if 0 <= k != size]


def flipped(proof: list[bytes], i: int) -> list[bytes]:
    """The proof with one byte of element i changed."""
    changed = bytearray(proof[i])
    changed[len(changed) // 2] ^= 0x01
    return [*proof[:i], bytes(changed), *proof[i + 1:]]


def inclusion_forgeries(index: int, size: int, h: bytes, proof: list[bytes], top: bytes,
                        sizes_and_roots=()):
    """Every way a sound verifier must refuse this valid proof once something is off.

    A wrong size comes with that size's own root, as a checkpoint gives them: the RFC 9162
    algorithm binds a proof to its root, and to its size only through the path's shape (see
    test_a_proof_is_bound_to_its_root_and_the_size_only_to_the_paths_shape)."""
    other = hashlib.sha256(b"other").digest()
    yield "wrong leaf", (index, size, other, proof, top)
    yield "wrong root", (index, size, h, proof, other)
    yield "empty root", (index, size, h, proof, EMPTY_ROOT)
    yield "extended proof", (index, size, h, [*proof, top], top)
    yield "proof with a preceding hash", (index, size, h, [top, *proof], top)
    if proof:
        yield "truncated proof", (index, size, h, proof[:-1], top)
        yield "leaf as its own sibling", (index, size, h, [h, *proof[1:]], top)
    for i in range(len(proof)):
        yield f"byte changed in element {i}", (index, size, h, flipped(proof, i), top)
    for wrong in {index - 1, index + 1, index ^ 1, index ^ 2, size} - {index}:
        if wrong >= 0:
            yield f"index {wrong}", (wrong, size, h, proof, top)
    for wrong in {size * 2, size // 2} - {size}:  # a size a different shape, the same root
        yield f"size {wrong} claimed for the same root", (index, wrong, h, proof, top)
    if sizes_and_roots:  # another checkpoint of the same log: its size with its own root
        for wrong, wrong_root in sizes_and_roots:
            if wrong != size:
                yield f"size {wrong}", (index, wrong, h, proof, wrong_root)


def consistency_forgeries(m: int, n: int, r1: bytes, r2: bytes, proof: list[bytes],
                          roots_by_size):
    """As inclusion_forgeries; roots_by_size(k) is the same log's root at size k."""
    other = hashlib.sha256(b"other").digest()
    yield "swapped roots", (m, n, r2, r1, proof)
    yield "wrong first root", (m, n, other, r2, proof)
    yield "wrong second root", (m, n, r1, other, proof)
    yield "empty proof", (m, n, r1, r2, [])
    yield "extended proof", (m, n, r1, r2, [*proof, r2])
    yield "proof with a preceding hash", (m, n, r1, r2, [r1, *proof])
    yield "truncated proof", (m, n, r1, r2, proof[:-1])
    for i in range(len(proof)):
        yield f"byte changed in element {i}", (m, n, r1, r2, flipped(proof, i))
    for wrong in {m - 1, m + 1, m ^ 2} - {m}:
        if 0 < wrong < n:
            yield f"first size {wrong}", (wrong, n, roots_by_size(wrong), r2, proof)
    for wrong in {n - 1, n + 1, n * 2, n // 2} - {n}:
        if m < wrong:
            yield f"second size {wrong}", (m, wrong, r1, roots_by_size(wrong), proof)
    for wrong in {n * 2, n // 2} - {n}:  # a different shape, the same roots
        yield f"second size {wrong} claimed for the same root", (m, wrong, r1, r2, proof)
    for wrong in {m - 1, m + 1, m * 2, m // 2} - {m}:
        yield f"first size {wrong} claimed for the same root", (wrong, n, r1, r2, proof)


# -- hashing and known answers -----------------------------------------------------------------


def test_hashes_are_domain_separated_sha256():
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert leaf_hash(a + b) != node_hash(a, b)


def test_known_roots():
    hashes = [leaf_hash(x) for x in VECTOR_LEAVES]
    frontier, store = stored(hashes)
    assert root([]) == EMPTY_ROOT == root_from_store(0, store)
    for n, expected in enumerate(VECTOR_ROOTS, 1):
        assert root(hashes[:n]) == expected
        assert root_from_store(n, store) == expected
    assert frontier.root() == VECTOR_ROOTS[-1]


@pytest.mark.parametrize(("index", "size", "path"), VECTOR_INCLUSION)
def test_known_inclusion_proofs(index, size, path):
    hashes = [leaf_hash(x) for x in VECTOR_LEAVES]
    expected = [bytes.fromhex(x) for x in path]
    assert inclusion_proof(index, hashes[:size]) == expected
    assert inclusion_proof_from_store(index, size, stored(hashes)[1]) == expected
    assert verify_inclusion(index, size, hashes[index], expected, VECTOR_ROOTS[size - 1])


@pytest.mark.parametrize(("m", "n", "path"), VECTOR_CONSISTENCY)
def test_known_consistency_proofs(m, n, path):
    hashes = [leaf_hash(x) for x in VECTOR_LEAVES]
    expected = [bytes.fromhex(x) for x in path]
    assert consistency_proof(m, hashes[:n]) == expected
    assert consistency_proof_from_store(m, n, stored(hashes)[1]) == expected
    assert verify_consistency(m, n, VECTOR_ROOTS[m - 1], VECTOR_ROOTS[n - 1], expected)


# -- the edges -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", EDGE_SIZES)
def test_edge_sizes(n):
    grown = leaves(2 * n + 2)
    hashes = grown[:n]
    frontier, store = stored(hashes)
    top = root(hashes)
    assert frontier.size == n and frontier.root() == top == root_from_store(n, store)
    assert len(frontier.hashes) == n.bit_count()
    for index in sorted({0, n - 1} & set(range(n))):
        proof = inclusion_proof(index, hashes)
        assert proof == inclusion_proof_from_store(index, n, store)
        assert len(proof) <= ceil_log2(n)
        assert verify_inclusion(index, n, hashes[index], proof, top)
        for what, args in inclusion_forgeries(index, n, hashes[index], proof, top,
                                              other_checkpoints(grown, n)):
            assert not verify_inclusion(*args), what
    for m in sorted({0, 1, n // 2, n - 1, n} & set(range(n + 1))):
        proof = consistency_proof(m, hashes)
        assert proof == consistency_proof_from_store(m, n, store)
        assert verify_consistency(m, n, root(hashes[:m]), top, proof)
        if 0 < m < n:
            assert len(proof) <= ceil_log2(n) + 1
            for what, args in consistency_forgeries(m, n, root(hashes[:m]), top, proof,
                                                    lambda k: root(grown[:k])):
                assert not verify_consistency(*args), what


def test_single_leaf_tree_is_its_leaf():
    h = leaf_hash(b"only")
    assert root([h]) == h
    assert inclusion_proof(0, [h]) == []
    assert verify_inclusion(0, 1, h, [], h)
    assert not verify_inclusion(0, 1, h, [], leaf_hash(b"other"))
    assert not verify_inclusion(1, 1, h, [], h)
    assert not verify_inclusion(0, 0, h, [], h)


def test_two_and_three_leaves_by_hand():
    a, b, c = leaves(3)
    assert root([a, b]) == node_hash(a, b)
    assert root([a, b, c]) == node_hash(node_hash(a, b), c)
    assert inclusion_proof(0, [a, b, c]) == [b, c]
    assert inclusion_proof(2, [a, b, c]) == [node_hash(a, b)]
    assert consistency_proof(1, [a, b, c]) == [b, c]
    assert consistency_proof(2, [a, b, c]) == [c]  # 2 is a power of two: its root is implied


def test_empty_tree():
    assert root([]) == EMPTY_ROOT == Frontier().root()
    with pytest.raises(ValueError, match="not in a tree of 0 leaves"):
        inclusion_proof(0, [])
    with pytest.raises(ValueError):
        inclusion_proof_from_store(0, 0, DictNodeStore())
    assert not verify_inclusion(0, 0, EMPTY_ROOT, [], EMPTY_ROOT)
    assert consistency_proof(0, []) == [] == consistency_proof_from_store(0, 0, DictNodeStore())
    # The empty tree is a prefix of every tree, but only under the empty root, with no proof.
    hashes = leaves(5)
    assert consistency_proof(0, hashes) == []
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, root(hashes), [])
    assert not verify_consistency(0, 5, root(hashes[:1]), root(hashes), [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, root(hashes), [hashes[0]])


def test_equal_sizes_need_equal_roots_and_no_proof():
    hashes = leaves(6)
    r = root(hashes)
    assert consistency_proof(6, hashes) == []
    assert verify_consistency(6, 6, r, r, [])
    assert not verify_consistency(6, 6, r, root(hashes[:5]), [])
    assert not verify_consistency(6, 6, r, r, [r])
    assert not verify_consistency(6, 5, r, root(hashes[:5]), [])  # time running backwards


@pytest.mark.parametrize(("m", "n"), [(1, 2), (1, 5), (2, 3), (4, 6), (4, 5), (8, 9), (16, 33)])
def test_power_of_two_first_size_omits_its_root(m, n):
    hashes = leaves(n)
    proof = consistency_proof(m, hashes)
    assert root(hashes[:m]) not in proof
    assert verify_consistency(m, n, root(hashes[:m]), root(hashes), proof)
    # Handing the first root in the proof as well is a different (longer) proof: refused.
    assert not verify_consistency(m, n, root(hashes[:m]), root(hashes), [root(hashes[:m]), *proof])


def test_consistency_proofs_can_need_one_more_than_log2_n():
    """⌈log₂ n⌉ bounds inclusion proofs; a consistency proof can take one more hash (RFC 9162
    §2.1.4.1: the old tree's subtree root, when the old size is not a power of two)."""
    hashes = leaves(7)
    assert len(consistency_proof(5, hashes)) == 4 == ceil_log2(7) + 1
    assert len(consistency_proof(3, leaves(4))) == 3 == ceil_log2(4) + 1


def test_a_proof_is_bound_to_its_root_and_the_size_only_to_the_paths_shape():
    """RFC 9162 §2.1.3.2 recomputes the root; the size only steers left and right. So a proof
    also verifies under another size whose path has the same shape, with the same root: leaf 0
    of 3 and of 4 both take two steps up the left edge. Harmless, since no tree of 4 leaves has
    that root, but it means a size must be trusted only together with its root, from one signed
    checkpoint, never taken from one place and the root from another."""
    hashes = leaves(4)
    proof = inclusion_proof(0, hashes[:3])
    assert verify_inclusion(0, 3, hashes[0], proof, root(hashes[:3]))
    assert verify_inclusion(0, 4, hashes[0], proof, root(hashes[:3]))
    assert not verify_inclusion(0, 4, hashes[0], proof, root(hashes))


def test_identical_leaves_cannot_stretch_a_proof_over_a_smaller_tree():
    """With identical subtrees left and right look alike, so only the size bookkeeping of
    §2.1.3.2 step 4a (and §2.1.4.2 step 6a) stops a proof of leaf 0 of 4 from passing as one of
    2 under the root of 4. Ledger events never repeat, but the algorithm must hold regardless."""
    h = leaf_hash(b"same")
    hashes = [h] * 4
    proof = inclusion_proof(0, hashes)
    assert proof == [h, node_hash(h, h)]
    assert verify_inclusion(0, 4, h, proof, root(hashes))
    assert not verify_inclusion(0, 2, h, proof, root(hashes))
    assert not verify_inclusion(0, 1, h, proof, root(hashes))
    many = [h] * 8
    c = consistency_proof(2, many)
    assert verify_consistency(2, 8, root(many[:2]), root(many), c)
    assert not verify_consistency(2, 4, root(many[:2]), root(many), c)
    assert not verify_consistency(2, 3, root(many[:2]), root(many), c)


def test_exhaustive_small_trees_against_forgeries():
    grown = leaves(68, b"x")
    for n in range(1, 34):
        hashes = grown[:n]
        others = other_checkpoints(grown, n)
        frontier, store = stored(hashes)
        top = root(hashes)
        for index in range(n):
            proof = inclusion_proof_from_store(index, n, store)
            assert proof == inclusion_proof(index, hashes)
            assert len(proof) <= ceil_log2(n)
            assert verify_inclusion(index, n, hashes[index], proof, top)
            for what, args in inclusion_forgeries(index, n, hashes[index], proof, top, others):
                assert not verify_inclusion(*args), (n, index, what)
        for m in range(1, n):
            proof = consistency_proof_from_store(m, n, store)
            assert proof == consistency_proof(m, hashes)
            first = root(hashes[:m])
            assert verify_consistency(m, n, first, top, proof)
            for what, args in consistency_forgeries(m, n, first, top, proof,
                                                    lambda k: root(grown[:k])):
                assert not verify_consistency(*args), (m, n, what)


@pytest.mark.parametrize("bad", [
    None, "ab", b"", b"\x00" * 31, b"\x00" * 33, bytearray(32), 3,
])
def test_verifiers_refuse_malformed_input_without_raising(bad):
    hashes = leaves(4)
    r, proof = root(hashes), inclusion_proof(1, hashes)
    assert verify_inclusion(1, 4, hashes[1], proof, r)
    assert not verify_inclusion(1, 4, bad, proof, r)
    assert not verify_inclusion(1, 4, hashes[1], proof, bad)
    assert not verify_inclusion(1, 4, hashes[1], [bad, *proof[1:]], r)
    c = consistency_proof(3, hashes)
    r3 = root(hashes[:3])
    assert verify_consistency(3, 4, r3, r, c)
    assert not verify_consistency(3, 4, bad, r, c)
    assert not verify_consistency(3, 4, r3, bad, c)
    assert not verify_consistency(3, 4, r3, r, [bad, *c[1:]])


def test_verifiers_refuse_sizes_that_are_not_whole_numbers():
    hashes = leaves(4)
    r, proof = root(hashes), inclusion_proof(1, hashes)
    for size in (-4, True, 4.0, "4", None):
        assert not verify_inclusion(1, size, hashes[1], proof, r)
        assert not verify_consistency(3, size, root(hashes[:3]), r, consistency_proof(3, hashes))
    assert not verify_inclusion(-1, 4, hashes[1], proof, r)
    assert not verify_inclusion(1, 4, hashes[1], iter(proof), r)  # a proof is a list
    assert not verify_inclusion(1, 4, hashes[1], b"".join(proof), r)


def test_provers_refuse_out_of_range_arguments():
    hashes = leaves(5)
    _, store = stored(hashes)
    for index in (-1, 5, 6):
        with pytest.raises(ValueError):
            inclusion_proof(index, hashes)
        with pytest.raises(ValueError):
            inclusion_proof_from_store(index, 5, store)
    for m in (-1, 6):
        with pytest.raises(ValueError):
            consistency_proof(m, hashes)
        with pytest.raises(ValueError):
            consistency_proof_from_store(m, 5, store)
    with pytest.raises(KeyError):  # a size beyond what was stored: the nodes are not there
        root_from_store(6, store)


# -- properties (hypothesis) ------------------------------------------------------------------


sizes = st.integers(min_value=1, max_value=300)


@settings(derandomize=True, max_examples=150)
@given(n=sizes, salt=st.binary(max_size=4), data=st.data())
def test_inclusion_property(n, salt, data):
    grown = leaves(2 * n + 2, salt)
    hashes = grown[:n]
    frontier, store = stored(hashes)
    index = data.draw(st.integers(0, n - 1), label="index")
    proof = inclusion_proof(index, hashes)
    assert proof == inclusion_proof_from_store(index, n, store)
    assert len(proof) <= ceil_log2(n)
    top = frontier.root()
    assert top == root(hashes) == root_from_store(n, store)
    assert verify_inclusion(index, n, hashes[index], proof, top)
    for what, args in inclusion_forgeries(index, n, hashes[index], proof, top,
                                          other_checkpoints(grown, n)):
        assert not verify_inclusion(*args), what
    # The same leaf stays provable in every later tree (a receipt outlives its checkpoint).
    later = data.draw(st.integers(index + 1, n), label="later size")
    assert verify_inclusion(index, later, hashes[index],
                            inclusion_proof_from_store(index, later, store), root(hashes[:later]))


@settings(derandomize=True, max_examples=150)
@given(n=sizes, salt=st.binary(max_size=4), data=st.data())
def test_consistency_property(n, salt, data):
    grown = leaves(2 * n + 2, salt)
    hashes = grown[:n]
    _, store = stored(hashes)
    m = data.draw(st.integers(0, n), label="first size")
    proof = consistency_proof(m, hashes)
    assert proof == consistency_proof_from_store(m, n, store)
    assert len(proof) <= ceil_log2(n) + 1
    first, second = root(hashes[:m]), root(hashes)
    assert verify_consistency(m, n, first, second, proof)
    if 0 < m < n:
        for what, args in consistency_forgeries(m, n, first, second, proof,
                                                lambda k: root(grown[:k])):
            assert not verify_consistency(*args), what
        # A rewritten history (any one earlier leaf changed) has no proof from the old root.
        edited = list(hashes)
        edited[data.draw(st.integers(0, m - 1), label="edited leaf")] = leaf_hash(b"rewritten")
        assert not verify_consistency(m, n, first, root(edited), consistency_proof(m, edited))


@settings(derandomize=True, max_examples=100)
@given(n=st.integers(0, 600))
def test_frontier_property(n):
    hashes = leaves(n)
    frontier, store = stored(hashes)
    assert len(frontier.hashes) == n.bit_count() <= max(1, ceil_log2(n))
    assert frontier.root() == root(hashes)
    again = Frontier.from_json(frontier.to_json())
    assert (again.size, again.hashes) == (frontier.size, frontier.hashes)
    resumed = Frontier.from_store(n, store)
    assert resumed.hashes == frontier.hashes
    # Resuming from the JSON form and appending more gives the same tree as never stopping.
    more = leaves(n + 3)[n:]
    for h in more:
        again.append(h)
    assert again.root() == root(hashes + more)
    # Every node written is stored once: n leaves, n - popcount(n) inner nodes.
    assert len(store.nodes) == 2 * n - n.bit_count()


def test_frontier_append_returns_the_nodes_it_completes():
    a, b, c, d = leaves(4)
    f = Frontier()
    assert f.append(a) == [(0, 0, a)]
    assert f.append(b) == [(0, 1, b), (1, 0, node_hash(a, b))]
    assert f.append(c) == [(0, 2, c)]
    assert f.append(d) == [(0, 3, d), (1, 1, node_hash(c, d)),
                           (2, 0, node_hash(node_hash(a, b), node_hash(c, d)))]
    with pytest.raises(ValueError):
        f.append(b"short")


@settings(derandomize=True, max_examples=150)
@given(n=st.integers(0, 400), cuts=st.lists(st.integers(0, 70), max_size=12))
def test_frontier_extend_levels_completes_the_nodes_append_completes(n, cuts):
    """A level at a time (a check's batches, cut anywhere) or a leaf at a time: the same nodes,
    the same frontier."""
    hashes = leaves(n)
    one = Frontier()
    by_leaf = one.extend(hashes)
    other, by_level, at = Frontier(), [], 0
    for cut in [*cuts, n]:
        for level, first, found in other.extend_levels(hashes[at:at + cut]):
            by_level += [(level, idx, h) for idx, h in enumerate(found, first)]
        at = min(n, at + cut)
        assert other.size == at and other.root() == root(hashes[:at])
    assert sorted(by_level) == sorted(by_leaf)
    assert (other.size, other.hashes) == (one.size, one.hashes)
    with pytest.raises(ValueError):
        other.extend_levels([hashes[0] if hashes else leaf_hash(b""), b"short"])


@pytest.mark.parametrize("bad", [
    None, [], {"size": 3}, {"size": 3, "hashes": ["00" * 32]}, {"size": -1, "hashes": []},
    {"size": True, "hashes": ["00" * 32]}, {"size": 1, "hashes": ["AA" * 32]},
    {"size": 1, "hashes": ["00" * 31]}, {"size": 1, "hashes": ["00" * 32], "x": 1},
    {"size": 1.0, "hashes": ["00" * 32]},
])
def test_frontier_from_json_is_strict(bad):
    with pytest.raises(ValueError):
        Frontier.from_json(bad)


def test_dict_store_refuses_a_different_hash_for_a_node():
    store = DictNodeStore()
    store.put([(0, 0, leaf_hash(b"a"))])
    store.put([(0, 0, leaf_hash(b"a"))])
    with pytest.raises(ValueError, match=r"node \(0, 0\)"):
        store.put([(0, 0, leaf_hash(b"b"))])


# -- the SQLite store ------------------------------------------------------------------------------


# -- an independent implementation ------------------------------------------------------------


def test_against_pymerkle_for_every_size_to_1000():
    """pymerkle (its own code, its own tree) agrees on every root from 1 to 1,000 leaves, on
    inclusion paths, and accepts our roots under its consistency proofs and we under its roots.

    Settings that match RFC 9162: InmemoryTree(algorithm="sha256") with its defaults (security
    on: leaf prefix 0x00, node prefix 0x01; entries hashed as given). Its indices count from 1;
    its inclusion path starts with the leaf hash itself, then the RFC audit path bottom up. Its
    consistency proofs use another decomposition than RFC 9162 §2.1.4.1 (with a rule and subset
    of their own), so those are checked for what they prove, not byte for byte."""
    pymerkle = pytest.importorskip("pymerkle")
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    assert tree.security and tree.leaf_prefix == b"\x00" and tree.node_prefix == b"\x01"
    entries = [b"aid-ledger event %d" % i for i in range(1000)]
    hashes = [leaf_hash(e) for e in entries]
    frontier, store = Frontier(), DictNodeStore()
    for n, entry in enumerate(entries, 1):
        assert tree.append_entry(entry) == n
        store.put(frontier.append(hashes[n - 1]))
        assert tree.get_leaf(n) == hashes[n - 1]
        ours = frontier.root()
        assert tree.get_root() == ours == root_from_store(n, store)
        for index in {0, n // 2, (n * 7) // 13, n - 1}:
            path = tree.prove_inclusion(index + 1, n).path
            proof = inclusion_proof_from_store(index, n, store)
            assert path == [hashes[index], *proof]
        for m in {1, n // 3, n - 1} - {0}:
            theirs = tree.prove_consistency(m, n)
            first = root_from_store(m, store)
            theirs.verify(first, ours, prior_size=m, later_size=n)  # raises if it disagrees
            assert verify_consistency(m, n, tree.get_root(m), tree.get_root(n),
                                      consistency_proof_from_store(m, n, store))
        if n % 97 == 0 or n <= 40:  # the all-leaves form too, where it stays cheap
            assert root(hashes[:n]) == ours
            assert inclusion_proof(n // 2, hashes[:n]) == tree.prove_inclusion(n // 2 + 1).path[1:]
