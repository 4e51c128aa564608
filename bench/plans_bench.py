"""Drafting a plan's 任务分工 against hand-made labels: `python -m bench plans [--rounds N]`.

Reads every plan of tests/plans/labels/*.json (its text under tests/plans/corpus/, real published
plans; the metadata above a line `---` is not part of the plan), drafts its duties with
`portal.plan_text.drafting.draft_duties` and compares with the labels, per plan and for the tuned and
the held-out plans (micro-averaged over the labelled tasks):

- task recall: a labelled task's clause got a drafted duty (target ≥ 0.9);
- lead exactly right: the drafted lead units are the labelled ones (≥ 0.9);
- cooperating F1 over the cooperating units' names (≥ 0.8);
- deadline right: the same date, or none / long-term where the label says so (≥ 0.9).

A label's deadline is an ISO date (the day the task is due: a month without a day is its last day, a
staged time its last stage), "" when the text sets no time, or 长期 (goes on without an end: 长期坚持,
持续推进) / 定期 (done again and again: 每年…, 定期（每季度）) — both without a date, the drafted duty keeping
the text's words. A task's `deadline_reason` records why a label was changed. A plan tuned on after it
was held out says so in its label's `"moved"`, printed under its row (as a blind plan's session is). A held-out label with `"blind"`
(the session it was made in) was made before the drafter first ran on its plan, and no change since was
made for it: a line "of which blind, <session>" per session scores those alone (the older held-out
plans' misses were read while tuning).

Time per plan (read + draft, median of the rounds) is printed beside a same-run baseline: reading the
same text and splitting it into sentences, which is what the machine's load does to any pass; each
split's line gives its plans' summed times and their ratio the same way.
Exits 1 when a held-out figure misses its target.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "plans" / "labels"
TARGETS = {"recall": 0.9, "lead": 0.9, "coop_f1": 0.8, "deadline": 0.9}


@dataclass
class Score:
    tasks: int = 0
    found: int = 0
    lead: int = 0
    deadline: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("tasks", "found", "lead", "deadline", "tp", "fp", "fn"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, float]:
        n = max(1, self.tasks)
        denominator = 2 * self.tp + self.fp + self.fn
        return {"recall": self.found / n, "lead": self.lead / n,
                "coop_f1": 1.0 if denominator == 0 else 2 * self.tp / denominator, "deadline": self.deadline / n}


def plan_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    return body if sep and head.startswith("source:") else text


def names(values) -> set[str]:
    from portal.plan_text.units import normalise

    return {normalise(v) for v in values if v}


def deadline_right(label: str, duty) -> bool:
    if not label:
        return duty.deadline_text == ""
    if label in ("长期", "定期"):
        return duty.deadline is None and duty.deadline_text != ""
    return duty.deadline == date.fromisoformat(label)


def score(label: dict, duties) -> Score:
    by_clause = {d.clause: d for d in duties}
    result = Score()
    for task in label["tasks"]:
        result.tasks += 1
        duty = by_clause.get(task["clause"])
        if duty is None:
            result.misses.append(f"{task['clause']}: no duty drafted")
            result.fn += len(task["cooperating"])
            continue
        result.found += 1
        if names(duty.lead) == names(task["lead"]):
            result.lead += 1
        else:
            result.misses.append(f"{task['clause']}: lead {duty.lead} ≠ {task['lead']}")
        if deadline_right(task["deadline"], duty):
            result.deadline += 1
        else:
            result.misses.append(f"{task['clause']}: deadline {duty.deadline_text or '—'} ({duty.deadline}) ≠ "
                                 f"{task['deadline'] or '—'}")
        drafted, wanted = names(duty.cooperating), names(task["cooperating"])
        result.tp += len(drafted & wanted)
        result.fp += len(drafted - wanted)
        result.fn += len(wanted - drafted)
        if drafted != wanted:
            result.misses.append(f"{task['clause']}: cooperating {sorted(drafted)} ≠ {sorted(wanted)}")
    return result


def timed_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench plans")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)

    from portal.plan_text.drafting import draft_duties
    from portal.plan_text.reader import read_plan

    totals = {"tuned": Score(), "held-out": Score()}
    blind: dict[str, Score] = {}  # by session: held-out plans labelled before the drafter first ran on them, not tuned on since
    times = {split: [0.0, 0.0] for split in totals}  # summed ms, summed baseline ms
    rows = []
    work = Path(tempfile.mkdtemp(prefix="plans-bench-"))
    for path in sorted(LABELS.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        text = plan_text((LABELS.parent / label["file"]).resolve())
        plan = work / f"{label['plan']}.txt"
        plan.write_text(text, encoding="utf-8")
        duties = draft_duties(read_plan(plan), [])
        result = score(label, duties)
        totals[label["split"]].add(result)
        if label["split"] == "held-out" and label.get("blind"):
            blind.setdefault(label["blind"], Score()).add(result)
        ms = timed_ms(lambda plan=plan: draft_duties(read_plan(plan), []), args.rounds)
        base = timed_ms(lambda plan=plan: re.findall(r"[^。；]+[。；]?", plan.read_text(encoding="utf-8")), args.rounds)
        blind_note = f"labelled blind in {label['blind']}" if label["split"] == "held-out" and label.get("blind") else ""
        rows.append((label["plan"], label["split"], result, ms, base, len(duties), label.get("moved", "") or blind_note))
        times[label["split"]][0] += ms
        times[label["split"]][1] += base

    print(f"plans benchmark: {len(rows)} real plans, labelled by hand; {args.rounds} rounds for the times")
    width = max(len(name) for name, *_ in rows) + 2
    print(f"{'plan':<{width}}{'split':<10}{'tasks':>6}{'drafted':>8}{'recall':>8}{'lead':>7}{'coopF1':>8}{'deadline':>9}"
          f"{'ms':>8}{'base ms':>9}{'ratio':>8}")
    for name, split, result, ms, base, drafted, note in rows:
        f = result.figures()
        print(f"{name:<{width}}{split:<10}{result.tasks:>6}{drafted:>8}{f['recall']:>8.2f}{f['lead']:>7.2f}{f['coop_f1']:>8.2f}"
              f"{f['deadline']:>9.2f}{ms:>8.2f}{base:>9.3f}{ms / max(base, 1e-6):>8.0f}")
        if note:
            print(f"    {note}")
        if args.verbose:
            for miss in result.misses:
                print(f"    {miss}")
    failed = False
    for split, total in totals.items():
        f = total.figures()
        marks = []
        for key, target in TARGETS.items():
            ok = f[key] >= target
            failed = failed or (split == "held-out" and not ok)
            marks.append(f"{key} {f[key]:.2f} (≥{target}) {'ok' if ok else 'BELOW'}")
        ms, base = times[split]
        print(f"{split:<9} {total.tasks:>3} tasks: " + "; ".join(marks)
              + f"; time {ms:.1f} ms, same-run base {base:.2f} ms, ratio {ms / max(base, 1e-6):.0f}")
    for session, score_ in sorted(blind.items()):
        f = score_.figures()
        print(f"  of which blind, {session} ({score_.tasks} tasks, labelled before the drafter ran, not tuned on): "
              + "; ".join(f"{key} {f[key]:.2f}" for key in TARGETS))
    return 1 if failed else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
