"""Mask personal data in a citizen's text before anything is shown publicly.

Phone numbers (mobile and landline, ``0``/``+84``/``84``, with spaces, dots or dashes), e-mail
addresses, ID numbers (12-digit CCCD, 9-digit CMND) and vehicle plates (``30A-123.45``,
``51F1-234.56``, ``29-B1 123.45``) are replaced by a bracketed placeholder.

>>> mask("Gọi 0912.345.678 hoặc +84 912 345 678, thư an.nguyen@example.vn")
'Gọi [số điện thoại] hoặc [số điện thoại], thư [email]'
>>> mask("Xe 51F1-234.56 và 30A-123.45 đỗ trên vỉa hè; CCCD 001203012345")
'Xe [biển số xe] và [biển số xe] đỗ trên vỉa hè; CCCD [số giấy tờ]'
>>> mask("Đường 3/2 có 12 ổ gà, dài 150 m")   # ordinary numbers stay
'Đường 3/2 có 12 ổ gà, dài 150 m'
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"(?i)(?<![\w.+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![\w])")
# 2 digits (province), 1–2 capital letters and an optional digit (series), then 4 or 5 digits
# (``123.45``, ``12345``, ``1234``); a dash or a space may separate the parts.
PLATE = re.compile(
    r"(?<![\w.])\d{2}\s?-?\s?[A-Z]{1,2}\d?(?:\s?[-.]\s?|\s)?(?:\d{3}\.\d{2}|\d{5}|\d{4})(?![\w])"
)
ID_NUMBER = re.compile(r"(?<![\d.,])(?:\d{12}|\d{9})(?![\d])")
_SEP = r"[\s.\-]?"
# Mobile: 0 + 9 digits starting 3/5/7/8/9; landline: 0 + 2x + 8 digits; the 0 may be +84 / 84 / (+84).
PHONE = re.compile(
    r"(?<![\w+])(?:\(\+?84\)\s?|\+84" + _SEP + r"|84" + _SEP + r"|0)"
    r"(?:[35789](?:" + _SEP + r"\d){8}|2(?:" + _SEP + r"\d){9})(?![\d])"
)

PLACEHOLDERS = {
    "email": "[email]",
    "plate": "[biển số xe]",
    "id": "[số giấy tờ]",
    "phone": "[số điện thoại]",
}


def mask(text: str) -> str:
    """``text`` with personal data replaced (e-mails first, then plates, ID numbers, phones)."""
    out = EMAIL.sub(PLACEHOLDERS["email"], text)
    out = PLATE.sub(PLACEHOLDERS["plate"], out)
    out = PHONE.sub(PLACEHOLDERS["phone"], out)
    return ID_NUMBER.sub(PLACEHOLDERS["id"], out)
