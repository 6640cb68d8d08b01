"""Vietnamese banks as NAPAS and VietQR name them: short code, Vietnamese name and NAPAS BIN.

The code is the one VietQR's bank list uses (VCB, ICB for VietinBank, VBA for Agribank, ...); a
few other names people type (CTG, VTB, AGRIBANK, "Vietcombank") are accepted as aliases. The BIN
(Bank Identification Number, six digits) is what a VietQR code carries in field 38/01/00.

Source: the VietQR bank list (api.vietqr.io/v2/banks) as copied into several public projects,
cross-checked between two independent copies; where they disagreed (PVcomBank) the value both the
list and NAPAS' own numbering agree on was kept. Names follow the banks' current names (LPBank,
formerly LienVietPostBank; PGBank).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.errors import BadInput
from ledger.values.text import clean, fold, nearest


@dataclass(frozen=True, slots=True)
class Bank:
    """One bank: VietQR code, short name people use, full Vietnamese name, NAPAS BIN."""

    code: str
    short_name: str
    name: str
    bin: str


BANKS: tuple[Bank, ...] = (
    Bank("VCB", "Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam", "970436"),
    Bank("ICB", "VietinBank", "Ngân hàng TMCP Công thương Việt Nam", "970415"),
    Bank("BIDV", "BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam", "970418"),
    Bank("VBA", "Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", "970405"),
    Bank("TCB", "Techcombank", "Ngân hàng TMCP Kỹ thương Việt Nam", "970407"),
    Bank("MB", "MBBank", "Ngân hàng TMCP Quân đội", "970422"),
    Bank("ACB", "ACB", "Ngân hàng TMCP Á Châu", "970416"),
    Bank("VPB", "VPBank", "Ngân hàng TMCP Việt Nam Thịnh Vượng", "970432"),
    Bank("TPB", "TPBank", "Ngân hàng TMCP Tiên Phong", "970423"),
    Bank("STB", "Sacombank", "Ngân hàng TMCP Sài Gòn Thương Tín", "970403"),
    Bank("HDB", "HDBank", "Ngân hàng TMCP Phát triển Thành phố Hồ Chí Minh", "970437"),
    Bank("SHB", "SHB", "Ngân hàng TMCP Sài Gòn – Hà Nội", "970443"),
    Bank("VIB", "VIB", "Ngân hàng TMCP Quốc tế Việt Nam", "970441"),
    Bank("MSB", "MSB", "Ngân hàng TMCP Hàng Hải Việt Nam", "970426"),
    Bank("OCB", "OCB", "Ngân hàng TMCP Phương Đông", "970448"),
    Bank("SCB", "SCB", "Ngân hàng TMCP Sài Gòn", "970429"),
    Bank("EIB", "Eximbank", "Ngân hàng TMCP Xuất Nhập khẩu Việt Nam", "970431"),
    Bank("LPB", "LPBank", "Ngân hàng TMCP Lộc Phát Việt Nam", "970449"),
    Bank("SEAB", "SeABank", "Ngân hàng TMCP Đông Nam Á", "970440"),
    Bank("NAB", "Nam A Bank", "Ngân hàng TMCP Nam Á", "970428"),
    Bank("BAB", "Bac A Bank", "Ngân hàng TMCP Bắc Á", "970409"),
    Bank("ABB", "ABBANK", "Ngân hàng TMCP An Bình", "970425"),
    Bank("PGB", "PGBank", "Ngân hàng TMCP Thịnh vượng và Phát triển", "970430"),
    Bank("VCCB", "BVBank", "Ngân hàng TMCP Bản Việt", "970454"),
    Bank("KLB", "KienlongBank", "Ngân hàng TMCP Kiên Long", "970452"),
    Bank("NCB", "NCB", "Ngân hàng TMCP Quốc Dân", "970419"),
    Bank("BVB", "BaoVietBank", "Ngân hàng TMCP Bảo Việt", "970438"),
    Bank("VAB", "VietABank", "Ngân hàng TMCP Việt Á", "970427"),
    Bank("VIETBANK", "VietBank", "Ngân hàng TMCP Việt Nam Thương Tín", "970433"),
    Bank("PVCB", "PVcomBank", "Ngân hàng TMCP Đại Chúng Việt Nam", "970412"),
    Bank("SGICB", "SaigonBank", "Ngân hàng TMCP Sài Gòn Công Thương", "970400"),
    Bank("DAB", "DongA Bank", "Ngân hàng TMCP Đông Á", "970406"),
    Bank("GPB", "GPBank", "Ngân hàng Thương mại TNHH MTV Dầu Khí Toàn Cầu", "970408"),
    Bank("CBB", "CBBank", "Ngân hàng Thương mại TNHH MTV Xây dựng Việt Nam", "970444"),
    Bank("COOPBANK", "Co-opBank", "Ngân hàng Hợp tác xã Việt Nam", "970446"),
    Bank("VRB", "VRB", "Ngân hàng Liên doanh Việt – Nga", "970421"),
    Bank("IVB", "Indovina Bank", "Ngân hàng TNHH Indovina", "970434"),
    Bank("SHBVN", "Shinhan Bank", "Ngân hàng TNHH MTV Shinhan Việt Nam", "970424"),
    Bank("WVN", "Woori Bank", "Ngân hàng TNHH MTV Woori Việt Nam", "970457"),
    Bank("UOB", "UOB", "Ngân hàng United Overseas – Chi nhánh TP. Hồ Chí Minh", "970458"),
    Bank("SCVN", "Standard Chartered", "Ngân hàng TNHH MTV Standard Chartered Việt Nam",
         "970410"),
    Bank("HSBC", "HSBC", "Ngân hàng TNHH MTV HSBC (Việt Nam)", "458761"),
    Bank("CIMB", "CIMB", "Ngân hàng TNHH MTV CIMB Việt Nam", "422589"),
    Bank("HLBVN", "Hong Leong Bank", "Ngân hàng TNHH MTV Hong Leong Việt Nam", "970442"),
    Bank("PBVN", "Public Bank", "Ngân hàng TNHH MTV Public Việt Nam", "970439"),
)

# Other names people type for a bank (folded: lower case, no marks, no spaces).
_ALIASES = {
    "ctg": "ICB", "vtb": "ICB", "vietinbank": "ICB", "vietin": "ICB",
    "agribank": "VBA", "agr": "VBA", "agri": "VBA", "vbard": "VBA",
    "vietcombank": "VCB", "mbbank": "MB", "mbb": "MB", "sacombank": "STB",
    "techcombank": "TCB", "vpbank": "VPB", "tpbank": "TPB", "hdbank": "HDB",
    "eximbank": "EIB", "lienvietpostbank": "LPB", "lpbank": "LPB", "seabank": "SEAB",
    "namabank": "NAB", "bacabank": "BAB", "abbank": "ABB", "pgbank": "PGB",
    "bvbank": "VCCB", "vietcapitalbank": "VCCB", "kienlongbank": "KLB",
    "baovietbank": "BVB", "vietabank": "VAB", "pvcombank": "PVCB", "saigonbank": "SGICB",
    "dongabank": "DAB", "dob": "DAB",
}
_BY_CODE = {bank.code: bank for bank in BANKS}
_BY_BIN = {bank.bin: bank for bank in BANKS}


def _squash(text: str) -> str:
    return "".join(fold(clean(text)).split())


def _plain(name: str) -> str:
    """A bank's Vietnamese name without what every name shares ("Ngân hàng TMCP … Việt Nam"):
    "Ngân hàng TMCP Ngoại thương Việt Nam" -> "ngoaithuong"."""
    squashed = _squash(name).removeprefix("nganhang").removeprefix("tmcp")
    return squashed.removesuffix("vietnam") or squashed


def lookup(code_or_bin: str) -> Bank:
    """The bank a code ("VCB", "vcb", "Vietcombank", "CTG") or a six-digit BIN names.

    An unknown name is refused with the nearest known codes."""
    text = clean(str(code_or_bin))
    if text.isdigit():
        if text in _BY_BIN:
            return _BY_BIN[text]
        raise BadInput("no bank has the NAPAS BIN {bin}: use a bank code such as VCB, ICB, BIDV "
                       "or VBA, or check the six digits", bin=text)
    squashed = _squash(text)
    if text.upper() in _BY_CODE:
        return _BY_CODE[text.upper()]
    if squashed in _ALIASES:
        return _BY_CODE[_ALIASES[squashed]]
    for bank in BANKS:
        if _squash(bank.short_name) == squashed:
            return bank
    named = [bank for bank in BANKS if _plain(bank.name).startswith(_plain(text))]
    if len(_plain(text)) >= 4 and len(named) == 1:  # "Ngân hàng Ngoại thương": its own name
        return named[0]
    close = nearest(text.upper(), [bank.code for bank in BANKS])
    close += [_ALIASES[name] for name in nearest(squashed, list(_ALIASES), limit=2)]
    suggestions = ", ".join(dict.fromkeys(close)) or "VCB, ICB, BIDV, VBA"
    raise BadInput("unknown bank '{code}': did you mean {suggestions}? (codes as VietQR names "
                   "them: VCB, ICB for VietinBank, BIDV, VBA for Agribank, ...)",
                   code=text, suggestions=suggestions)
