"""Weak-password rules: a bundled list of common passwords plus trivial patterns.

Pure functions (no Flask): `password_problem` returns a Chinese message saying why a password
is refused, or None. Used for account creation (admin page, CLI, demo accounts), admin resets and
a user's own password change.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 8
LIST_FILE = Path(__file__).with_name("common_passwords.txt")
KEYBOARD_LINES = (
    "1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/", "qazwsxedcrfvtgbyhnujmikolp",
    "abcdefghijklmnopqrstuvwxyz", "01234567890",
)
ADVICE = "请换一个至少 8 位、不易猜到的密码（例如几个词加数字或符号）。"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = LIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _core(password: str) -> str:
    """The word inside decorations: `Password123!` -> `password`."""
    return re.sub(r"^[\d\W_]+|[\d\W_]+$", "", password.lower())


def _is_sequence(text: str) -> bool:
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1, 0}


def _is_keyboard_walk(text: str) -> bool:
    return any(text in line or text in line[::-1] for line in KEYBOARD_LINES)


def _repeated_unit(text: str) -> bool:
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False


def password_problem(password: str, *, username: str = "", display_name: str = "") -> str | None:
    """Why `password` is too weak, in Chinese, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位。"
    lower = password.lower()
    reason = None
    if lower in common_passwords() or (len(_core(password)) >= 4 and _core(password) in common_passwords()):
        reason = "这是常见密码，容易被猜到"
    elif len(set(lower)) < 4 or _repeated_unit(lower):
        reason = "由少数几个字符重复组成（如 aaaaaaaa、12121212）"
    elif _is_sequence(lower) or _is_keyboard_walk(lower):
        reason = "是连续的字母、数字或键盘上相邻的键（如 12345678、qwertyui）"
    elif lower.isdigit():
        reason = "只含数字（如生日、电话号码），容易被猜到"
    else:
        for name in (username.strip().lower(), display_name.strip().lower()):
            if len(name) >= 3 and name in lower:
                reason = "包含用户名或姓名"
                break
    if reason is None:
        return None
    return f"密码太简单：{reason}。{ADVICE}"
