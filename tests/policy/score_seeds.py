"""Print the extractor's accuracy on the five seed plans: `python tests/policy/score_seeds.py [-v]`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import SEED_DIR, Score, load_gold, report, score_ledger  # noqa: E402

from hqd.policy import extract_ledger  # noqa: E402


def main() -> None:
    total = Score()
    for stem, gold in load_gold().items():
        text = (SEED_DIR / f"{stem}.txt").read_text(encoding="utf-8")
        pred = extract_ledger(text, file=f"{stem}.txt").to_dict()
        total.add(score_ledger(pred, gold))
    print(report(total))
    if "-v" in sys.argv:
        print("\n".join(total.errors))


if __name__ == "__main__":
    main()
