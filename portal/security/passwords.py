"""Weak-password rules: a bundled list of common passwords, common pinyin words, the person's own name in
pinyin, and trivial patterns (keyboard walks, sequences, symbol-only, simple letter/digit patterns).

Pure functions (no Flask): `password_problem` returns a Chinese message saying why a password
is refused, or None. Used for account creation (admin page, CLI, demo accounts), admin resets and
a user's own password change. The pattern detectors live in portal/security/password_patterns.py.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from portal.security.password_patterns import (
    is_keyboard_walk,
    is_sequence,
    name_forms,
    normalise_keys,
    repeated_unit,
    trivially_patterned,
)

MIN_LENGTH = 8
LIST_FILE = Path(__file__).with_name("common_passwords.txt")
PINYIN_FILE = Path(__file__).with_name("common_pinyin.txt")
ADVICE = "请换一个至少 8 位、不易猜到的密码（例如几个词加数字或符号）。"


def _read_list(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return _read_list(LIST_FILE)


@lru_cache(maxsize=1)
def common_pinyin() -> frozenset[str]:
    return _read_list(PINYIN_FILE)


def common_words() -> frozenset[str]:
    """Words that count for nothing inside a pattern: common passwords and common pinyin."""
    return common_passwords() | common_pinyin()


def _core(password: str) -> str:
    """The word inside decorations: `Password123!` -> `password`."""
    return re.sub(r"^[\d\W_]+|[\d\W_]+$", "", password.lower())


def _common_reason(password: str) -> str | None:
    lower, core = password.lower(), _core(password)
    if lower in common_passwords() or (len(core) >= 4 and core in common_passwords()):
        return "这是常见密码，容易被猜到"
    if lower in common_pinyin() or (len(core) >= 4 and core in common_pinyin()):
        return "是常用的拼音词（如 ceshi、mima、woaini、zhangsan）加上简单的数字或符号"
    return None


def _name_reason(password: str, username: str, display_name: str) -> str | None:
    lower = password.lower()
    for name in (username.strip().lower(), display_name.strip().lower()):
        if len(name) >= 3 and name in lower:
            return "包含用户名或姓名"
    letters = re.sub(r"[^a-z]", "", lower)
    contained, whole = name_forms(display_name)
    if any(form in letters for form in contained) or letters in whole:
        return "包含您姓名的拼音（全拼或首字母）"
    return None


def _shape_reason(password: str) -> str | None:
    """Symbol-only, repeats, sequences, keyboard walks, digits only, simple patterns."""
    lower = password.lower()
    keys = normalise_keys(password)
    if not any(c.isalnum() for c in password):
        return "只含符号（如 !@#$%^&*），容易被猜到"
    if len(set(lower)) < 4 or repeated_unit(lower):
        return "由少数几个字符重复组成（如 aaaaaaaa、12121212）"
    if is_sequence(lower) or is_sequence(keys) or is_keyboard_walk(keys):
        return "是连续的字母、数字或键盘上相邻的键（如 12345678、qwertyui、1qaz@WSX）"
    if lower.isdigit():
        return "只含数字（如生日、电话号码），容易被猜到"
    if trivially_patterned(keys, common_words()):
        return "由简单的字母、数字序列拼成（如 abc@1234、a1b2c3d4、1234abcd）"
    return None


def password_problem(password: str, *, username: str = "", display_name: str = "") -> str | None:
    """Why `password` is too weak, in Chinese, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位。"
    reason = (_common_reason(password) or _shape_reason(password)
              or _name_reason(password, username, display_name))
    if reason is None:
        return None
    return f"密码太简单：{reason}。{ADVICE}"
