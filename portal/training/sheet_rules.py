"""Pure rules of village sign-in (no Flask, no database): the numbers a trainer types from a signed
paper sheet, and the sign-in codes a trainee's phone scans.

Two codes, one rule: a code is valid only on the session's training day (the day the sheet was made
for, local time). The code shown on the trainer's phone rotates every `ROTATE_SECONDS` and is accepted
for `ROTATE_GRACE` rotations after it was shown (a trainee may have to sign in to the portal first);
a photo of it sent home is of no use a few minutes later. The code printed on the paper sheet cannot
rotate: it is tied to the training day and dies with it.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date

from portal.core.refusals import Refusal

ROTATE_SECONDS = 60
ROTATE_GRACE = 10  # rotations a shown code is still accepted (~10 minutes)
MAX_RANGE = 500  # 「1-100000」 is a typing slip, not a sheet
PAPER = "p"


class NumbersProblem(Refusal, ValueError):
    """What is wrong with the typed numbers (shown as is)."""


_SPLIT = re.compile(r"[\s,，、;；.。]+")
_RANGE = re.compile(r"^(\d+)[-~～—–至到](\d+)$")


def parse_numbers(text: str) -> list[int]:
    """「1 3 5-9」 → [1, 3, 5, 6, 7, 8, 9]: numbers and ranges separated by spaces, commas or 、;
    full-width digits and dashes are read as half-width. Raises NumbersProblem naming the bad part."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        raise NumbersProblem("请输入签到表上已签名人员的编号，例如：1 3 5-9。")
    found: list[int] = []
    for part in _SPLIT.split(text):
        if not part:
            continue
        if part.isdigit():
            found.append(int(part))
            continue
        match = _RANGE.match(part)
        if match is None:
            raise NumbersProblem(f"「{part}」不是编号或编号范围（例如 5-9）。")
        low, high = int(match.group(1)), int(match.group(2))
        if low > high:
            raise NumbersProblem(f"「{part}」的起始编号大于结束编号。")
        if high - low >= MAX_RANGE:
            raise NumbersProblem(f"「{part}」范围过大，请检查是否输错。")
        found.extend(range(low, high + 1))
    if 0 in found:
        raise NumbersProblem("编号从 1 开始，没有编号 0。")
    return sorted(set(found))


def numbers_text(numbers: list[int]) -> str:
    """[1, 3, 5, 6, 7] → 「1、3、5-7」 (the short form used in messages)."""
    parts: list[str] = []
    run: list[int] = []
    for n in sorted(set(numbers)):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            parts.append(_run_text(run))
        run = [n]
    if run:
        parts.append(_run_text(run))
    return "、".join(parts)


def _run_text(run: list[int]) -> str:
    return str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}"


def _mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def slot_of(timestamp: float) -> int:
    return int(timestamp // ROTATE_SECONDS)


def screen_code(key: bytes, session_id: int, timestamp: float) -> str:
    slot = slot_of(timestamp)
    return f"{slot}-{_mac(key, f'signin:{session_id}:{slot}')}"


def paper_code(key: bytes, session_id: int, held_on: date) -> str:
    return f"{PAPER}-{_mac(key, f'signin-paper:{session_id}:{held_on.isoformat()}')}"


def code_problem(key: bytes, session_id: int, held_on: date, code: str, timestamp: float, today: date) -> str | None:
    """Why this code does not sign anyone in now, or None when it does."""
    if today != held_on:
        return "签到码只在培训当天有效。" if today > held_on else "培训尚未开始，签到码在培训当天才有效。"
    head, _, _mac_part = (code or "").partition("-")
    if head == PAPER:
        good = hmac.compare_digest(code, paper_code(key, session_id, held_on))
        return None if good else "签到码无效，请重新扫描现场的二维码。"
    if not head.isdigit():
        return "签到码无效，请重新扫描现场的二维码。"
    slot, now = int(head), slot_of(timestamp)
    if not hmac.compare_digest(code, f"{slot}-{_mac(key, f'signin:{session_id}:{slot}')}"):
        return "签到码无效，请重新扫描现场的二维码。"
    if slot > now or slot < now - ROTATE_GRACE:
        return "签到码已过期，请重新扫描授课人手机上的二维码。"
    return None
