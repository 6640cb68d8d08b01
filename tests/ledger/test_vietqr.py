"""VietQR payloads decoded by a parser written here from the EMVCo spec, not by the encoder; the
bank table; the short references donors type."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.bank import banks, vietqr
from ledger.errors import BadInput

# --- an independent reader of EMVCo merchant-presented QR payloads ----------------------------
# EMVCo QRCPS-MPM 4.7: a payload is a run of data objects, each ID (2 digits) + length (2
# digits, the value's length in characters) + value; templates (26-51, 62, 64, 80-99) hold
# data objects in turn. ID 63 is last: its value is CRC-16 (polynomial 0x1021, initial 0xFFFF)
# of every character before it, "6304" included, as 4 upper-case hex digits.

TEMPLATES = {str(n) for n in range(26, 52)} | {"62", "64"} | {str(n) for n in range(80, 100)}


def tlv(text: str) -> list[tuple[str, str]]:
    objects, at = [], 0
    while at < len(text):
        tag, size = text[at:at + 2], text[at + 2:at + 4]
        assert tag.isdigit() and size.isdigit(), f"bad object at {at}: {text[at:at + 4]!r}"
        value = text[at + 4:at + 4 + int(size)]
        assert len(value) == int(size), f"object {tag} runs past the end"
        objects.append((tag, value))
        at += 4 + int(size)
    return objects


def crc_ccitt_false(data: bytes) -> int:
    """Table-driven this time (the encoder loops bit by bit), so the two are not one code."""
    table = []
    for byte in range(256):
        value = byte << 8
        for _ in range(8):
            value = ((value << 1) ^ 0x1021) if value & 0x8000 else value << 1
        table.append(value & 0xFFFF)
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ byte) & 0xFF]
    return crc


def decode(payload: str) -> dict:
    objects = tlv(payload)
    tags = [tag for tag, _ in objects]
    assert tags[0] == "00" and tags[-1] == "63", tags
    assert len(set(tags)) == len(tags), "a data object appears twice"
    crc = objects[-1][1]
    assert payload.endswith("6304" + crc)
    assert int(crc, 16) == crc_ccitt_false(payload[:-4].encode("ascii")), "CRC does not match"
    assert crc == crc.upper() and len(crc) == 4
    out = {}
    for tag, value in objects:
        out[tag] = {t: v for t, v in tlv(value)} if tag in TEMPLATES else value
    if "38" in out:
        out["38"]["01"] = dict(tlv(out["38"]["01"]))
    return out


def test_crc_known_vector():
    assert crc_ccitt_false(b"123456789") == 0x29B1
    assert vietqr.crc16(b"123456789") == 0x29B1


def test_payload_with_amount_and_reference():
    text = vietqr.payload("970436", "1029990042", amount=350_000, ref="P3D0042")
    qr = decode(text)
    assert qr["00"] == "01"
    assert qr["01"] == "12"  # dynamic: the amount is fixed
    assert qr["38"]["00"] == "A000000727"
    assert qr["38"]["01"] == {"00": "970436", "01": "1029990042"}
    assert qr["38"]["02"] == "QRIBFTTA"
    assert qr["53"] == "704"
    assert qr["54"] == "350000"
    assert qr["58"] == "VN"
    assert qr["62"] == {"08": "P3D0042"}
    # the order the spec gives: 00, 01 first, 63 last, the rest ascending
    assert [tag for tag, _ in tlv(text)] == ["00", "01", "38", "53", "54", "58", "62", "63"]


def test_static_payload_has_no_amount():
    qr = decode(vietqr.payload("970415", "108877665544"))
    assert qr["01"] == "11"
    assert "54" not in qr and "62" not in qr
    assert qr["38"]["01"] == {"00": "970415", "01": "108877665544"}


@given(amount=st.one_of(st.none(), st.integers(1, 10**13 - 1)),
       ref=st.one_of(st.none(), st.text(string.ascii_letters + string.digits, min_size=1,
                                        max_size=25)),
       account=st.text("0123456789", min_size=6, max_size=19),
       bank=st.sampled_from(banks.BANKS))
def test_any_payload_decodes(amount, ref, account, bank):
    qr = decode(vietqr.payload(bank.bin, account, amount=amount, ref=ref))
    assert qr["38"]["01"] == {"00": bank.bin, "01": account}
    assert ("54" in qr) == (amount is not None)
    assert qr["01"] == ("12" if amount is not None else "11")
    if amount is not None:
        assert int(qr["54"]) == amount
    assert qr.get("62", {}).get("08") == ref


@pytest.mark.parametrize("ref", ["P3 D0042", "P3D-0042", "Phường3", "ủnghộ", "A" * 26, ""])
def test_references_that_cannot_travel_are_refused(ref):
    with pytest.raises(BadInput, match="ASCII letters and digits"):
        vietqr.payload("970436", "1029990042", ref=ref)


@pytest.mark.parametrize("amount", [0, -5, True, 1.5, 10**13])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(BadInput, match="amount"):
        vietqr.payload("970436", "1029990042", amount=amount)


@pytest.mark.parametrize("bin_, account", [("97043", "1029990042"), ("97043A", "1"),
                                           ("970436", "1029-990"), ("970436", "1" * 20)])
def test_bad_bin_or_account_refused(bin_, account):
    with pytest.raises(BadInput):
        vietqr.payload(bin_, account)


def test_reference_scheme():
    assert vietqr.reference("P3", 42) == "P3D0042"
    assert vietqr.reference("p3", "D-42") == "P3D0042"
    assert vietqr.reference("P3", 12345) == "P3D12345"
    assert vietqr.reference("BN", 7, kind="G") == "BNG0007"
    assert vietqr.reference("Đ1", 1) == "D1D0001"  # marks folded away
    with pytest.raises(BadInput, match="ward code"):
        vietqr.reference("P 3", 1)
    with pytest.raises(BadInput, match="serial"):
        vietqr.reference("P3", "abc")
    with pytest.raises(BadInput, match="negative"):
        vietqr.reference("P3", -1)


def test_qr_images(tmp_path):
    pytest.importorskip("segno")
    text = vietqr.payload("970436", "1029990042", amount=350_000, ref="P3D0042")
    png = vietqr.qr_png(text, tmp_path / "qr.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = vietqr.qr_svg(text, tmp_path / "qr.svg")
    assert "<svg" in svg.read_text()


def test_importing_vietqr_does_not_import_segno():
    import subprocess
    import sys

    code = "import sys, ledger.bank.vietqr; print('segno' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# --- banks ------------------------------------------------------------------------------------

def test_bank_table_has_the_major_banks_with_their_bins():
    expected = {"VCB": "970436", "ICB": "970415", "BIDV": "970418", "VBA": "970405",
                "TCB": "970407", "MB": "970422", "ACB": "970416", "VPB": "970432",
                "TPB": "970423", "STB": "970403"}
    for code, bin_ in expected.items():
        assert banks.lookup(code).bin == bin_
        assert banks.lookup(bin_).code == code
    assert len(banks.BANKS) >= 25
    assert len({bank.bin for bank in banks.BANKS}) == len(banks.BANKS)
    assert all(len(bank.bin) == 6 and bank.bin.isdigit() for bank in banks.BANKS)


def test_bank_aliases():
    assert banks.lookup("vcb").code == "VCB"
    assert banks.lookup("CTG").code == "ICB"
    assert banks.lookup("VietinBank").code == "ICB"
    assert banks.lookup("Agribank").code == "VBA"
    assert banks.lookup(" Vietcombank ").code == "VCB"
    # by its Vietnamese name, as a ward writes it, shortened or without marks
    assert banks.lookup("Ngân hàng Ngoại thương").code == "VCB"
    assert banks.lookup("ngan hang cong thuong viet nam").code == "ICB"
    assert banks.lookup("Ngân hàng Nông nghiệp và Phát triển Nông thôn").code == "VBA"
    with pytest.raises(BadInput):
        banks.lookup("Ngân hàng")  # every bank's name begins so: not one


def test_unknown_bank_suggests_nearest():
    with pytest.raises(BadInput, match=r"unknown bank 'VCBB': did you mean VCB"):
        banks.lookup("VCBB")
    with pytest.raises(BadInput, match=r"BIDV"):
        banks.lookup("BIVD")
    with pytest.raises(BadInput, match="no bank has the NAPAS BIN 970499"):
        banks.lookup("970499")


def test_qr_image_scans_back_to_the_payload(tmp_path):
    """Where zbar is installed (Debian's zbar-tools), the PNG read by a scanner gives the text."""
    import shutil
    import subprocess

    pytest.importorskip("segno")
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (apt-get install zbar-tools) is not installed")
    text = vietqr.payload("970436", "1029990042", amount=350_000, ref="P3D0042")
    png = vietqr.qr_png(text, tmp_path / "qr.png", scale=4)
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == text
