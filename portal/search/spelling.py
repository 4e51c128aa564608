"""How a typed word may differ from the word meant, beyond a same-sound character (issue 22): pure
functions ``understand`` tries only when the query as typed is found nowhere.

* **look-alike characters** (形近字, ``content/search/lookalike.txt``, a reviewed list: 未/末, 护/扩,
  令/今, 复/夏 …): ``lookalike_variants`` spells a word with one character swapped for one that looks
  like it (末成年人 → 未成年人); the caller keeps a variant only when the library holds it and
  never the word as typed;
* **fuzzy pinyin** (the sounds many Mandarin speakers merge): a syllable's z/c/s typed for zh/ch/sh
  or back (sou → shou), n for l or back at its start (nong → long), a final n for ng or back (yan →
  yang, qilin → qiling) — ``fuzzy_spellings`` lists a pinyin run's spellings with one or two such
  changes, fewest first; the caller takes one only when a single spelling of the fewest changes is
  the library's words (never a guess between two).
"""
from __future__ import annotations

import itertools
from pathlib import Path

LOOKALIKE_NAME = "lookalike.txt"   # in tokenizer.search_dir(), beside synonyms.txt
MAX_FUZZY = 2                      # changes to a pinyin run at most
MAX_SPELLINGS = 64                 # spellings of one run tried at most

# a syllable's start: zh/ch/sh ↔ z/c/s, n ↔ l; its end: n ↔ ng (after a, e, i)
_START = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("z", "zh"), ("c", "ch"), ("s", "sh"), ("n", "l"), ("l", "n"))
_END = (("ang", "an"), ("eng", "en"), ("ing", "in"), ("an", "ang"), ("en", "eng"), ("in", "ing"))


def read_lookalikes(path: Path) -> dict[str, str]:
    """character → the characters that look like it, from groups of look-alikes one a line
    (未末: each stands for the other); # starts a comment."""
    out: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            group = "".join(line.split("#", 1)[0].split())
            for ch in group:
                others = "".join(c for c in group if c != ch)
                out[ch] = "".join(dict.fromkeys(out.get(ch, "") + others))
    return out


def lookalike_variants(word: str, table: dict[str, str]) -> list[str]:
    """``word`` with one character replaced by one that looks like it, each spelling once."""
    out = []
    for i, ch in enumerate(word):
        for alt in table.get(ch, ""):
            out.append(word[:i] + alt + word[i + 1:])
    return list(dict.fromkeys(out))


def _changes(token: str) -> list[str]:
    """One fuzzy change at the token's start or end (a token is one syllable or a word's run)."""
    out = []
    for a, b in _START:
        if token.startswith(a) and not (len(a) == 1 and token[:2] in ("zh", "ch", "sh")):
            out.append(b + token[len(a):])
    for a, b in _END:
        if token.endswith(a) and not (a.endswith("n") and token.endswith(a + "g")):
            out.append(token[:-len(a)] + b)
    return out


def fuzzy_spellings(tokens: list[str]) -> list[tuple[int, list[str]]]:
    """(changes, tokens) for each spelling of ``tokens`` with 1..MAX_FUZZY fuzzy changes, fewest first."""
    options = [[(0, t)] + [(1, c) for c in _changes(t)] for t in tokens]
    out = []
    for combo in itertools.product(*options):
        n = sum(c for c, _ in combo)
        if 0 < n <= MAX_FUZZY:
            out.append((n, [t for _, t in combo]))
        if len(out) >= MAX_SPELLINGS * 4:
            break
    out.sort(key=lambda x: x[0])
    return out[:MAX_SPELLINGS]

