"""`python -m bench plans` prints each split's figures beside a same-run baseline (the team guide)."""
from __future__ import annotations

import re

from bench import plans_bench


def test_each_split_line_has_its_time_beside_the_same_run_baseline(capsys):
    plans_bench.main(["--rounds", "1"])
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if re.match(r"^(tuned|held-out) ", line)}
    assert set(lines) == {"tuned", "held-out"}
    for line in lines.values():
        m = re.search(r"time ([\d.]+) ms, same-run base ([\d.]+) ms, ratio (\d+)$", line)
        assert m, line
        ms, base, ratio = float(m[1]), float(m[2]), int(m[3])
        assert base > 0 and abs(ratio - ms / base) <= max(1, ratio * 0.05)
        assert "recall" in line and "deadline" in line
