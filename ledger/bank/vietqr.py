"""NAPAS VietQR payloads (EMVCo merchant-presented QR) and the short references donors type.

A payload is a string of fields, each `ID` (two digits) + `length` (two digits) + value:

    00 "01"                    payload format indicator
    01 "11" | "12"             static QR; "12" (dynamic) when the amount is fixed
    38 {00 "A000000727",       merchant account: NAPAS' application id,
        01 {00 BIN, 01 acct},    the beneficiary bank's BIN and the account number,
        02 "QRIBFTTA"}           service: transfer to an account
    53 "704"                   currency: Vietnamese đồng (ISO 4217)
    54 amount                  only when given: whole đồng, digits only
    58 "VN"                    country
    62 {08 reference}          additional data: purpose of transaction, our reference
    63 CRC                     CRC-16/CCITT-FALSE over everything before it, "6304" included

References. A donor's banking app puts field 62/08 in the transfer's message, where the bank
statement shows it again, so a transfer finds its donation by itself. They are short, ASCII
letters and digits only (banks strip or mangle anything else), at most 25 characters:

    reference("P3", 42)        -> "P3D0042"
              ward code "P3" + kind "D" (donation) + serial, zero-padded to 4 digits

The ward code is folded to ASCII capitals (Phường 3 -> "P3" is the treasurer's choice; marks are
dropped, "Đ" becomes "D"); serials past 9999 simply get more digits. `statements.find_reference`
finds such a reference inside a transfer's free text.
"""

from __future__ import annotations

import re
from pathlib import Path

from ledger.errors import BadInput
from ledger.values.text import clean, fold

NAPAS_AID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
_REF = re.compile(r"[A-Za-z0-9]{1,25}")
_ACCOUNT = re.compile(r"[A-Za-z0-9]{1,19}")


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise BadInput("VietQR field {tag} is {n} characters long; a field holds at most 99",
                       tag=tag, n=len(value))
    return f"{tag}{len(value):02d}{value}"


def payload(bin: str, account: str, amount: int | None = None, ref: str | None = None) -> str:
    """The VietQR text for a transfer to `account` at the bank with NAPAS `bin`.

    `amount` (whole đồng, > 0) makes a dynamic QR with the amount fixed; `ref` goes in the
    transfer's message (ASCII letters and digits, at most 25)."""
    bin = clean(str(bin))
    if not (len(bin) == 6 and bin.isascii() and bin.isdigit()):
        raise BadInput("'{bin}' is not a NAPAS BIN: it has six digits (Vietcombank 970436); "
                       "look the bank up by its code", bin=bin)
    account = clean(str(account)).replace(" ", "")
    if not _ACCOUNT.fullmatch(account):
        raise BadInput("'{account}' is not a bank account number: write 1 to 19 letters or "
                       "digits, without spaces or dashes", account=account)
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise BadInput("the amount of a VietQR code must be a whole number of đồng above 0, "
                           "not {amount}", amount=amount)
        if len(str(amount)) > 13:
            raise BadInput("the amount {amount:,} đồng is too large for a VietQR code "
                           "(13 digits at most)", amount=amount)
    if ref is not None:
        check_reference(ref)
    beneficiary = _field("00", bin) + _field("01", account)
    merchant = _field("00", NAPAS_AID) + _field("01", beneficiary) + \
        _field("02", SERVICE_TO_ACCOUNT)
    text = _field("00", "01") + _field("01", "12" if amount is not None else "11") + \
        _field("38", merchant) + _field("53", "704")
    if amount is not None:
        text += _field("54", str(amount))
    text += _field("58", "VN")
    if ref:
        text += _field("62", _field("08", ref))
    text += "6304"
    return text + f"{crc16(text.encode('ascii')):04X}"


def check_reference(ref: str) -> str:
    """`ref` itself when it can travel in a transfer's message, else BadInput saying why."""
    if not isinstance(ref, str) or not _REF.fullmatch(ref):
        raise BadInput("the reference '{ref}' cannot go in a bank transfer: use at most 25 "
                       "ASCII letters and digits (no spaces, marks or punctuation)", ref=ref)
    return ref


def ward_code(code: str) -> str:
    """A ward's code as references write it: ASCII capitals and digits ("p3" -> "P3")."""
    folded = fold(clean(str(code))).upper()
    if not folded or not folded.isascii() or not folded.isalnum():
        raise BadInput("the ward code '{code}' cannot start a bank reference: use ASCII letters "
                       "and digits, e.g. P3 for Phường 3", code=code)
    return folded


def reference(ward: str, entry_or_serial: int | str, kind: str = "D") -> str:
    """The short reference of a ward's entry: ward code + kind letter + serial, 4 digits at least.

    `entry_or_serial` is the serial number (42) or an entry code ending in it ("D-42", "42");
    `kind` is one capital letter, "D" for a donation."""
    prefix = ward_code(ward)
    if not (len(kind) == 1 and kind.isascii() and kind.isalpha()):
        raise BadInput("the kind of a reference is one ASCII letter (D for a donation), "
                       "not '{kind}'", kind=kind)
    if isinstance(entry_or_serial, bool):
        raise BadInput("a reference needs a serial number, not {value}", value=entry_or_serial)
    if isinstance(entry_or_serial, int):
        serial = entry_or_serial
    else:
        digits = re.search(r"(\d+)\s*$", clean(str(entry_or_serial)))
        if digits is None:
            raise BadInput("'{entry}' does not end in a serial number: a reference needs one "
                           "(e.g. 42 or D-42)", entry=entry_or_serial)
        serial = int(digits.group(1))
    if serial < 0:
        raise BadInput("a reference's serial number cannot be negative ({serial})",
                       serial=serial)
    return check_reference(f"{prefix}{kind.upper()}{serial:04d}")


def qr_png(payload: str, path: str | Path, scale: int = 8) -> Path:
    """Writes the QR code of a payload to a PNG file (error correction M, 4-module border)."""
    import segno  # only the command that draws a code pays for the import

    path = Path(path)
    segno.make(payload, error="m", micro=False).save(str(path), kind="png", scale=scale, border=4)
    return path


def qr_svg(payload: str, path: str | Path, scale: int = 8) -> Path:
    """Writes the QR code of a payload to an SVG file."""
    import segno

    path = Path(path)
    segno.make(payload, error="m", micro=False).save(str(path), kind="svg", scale=scale, border=4)
    return path
