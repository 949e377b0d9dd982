"""Print the extractor's accuracy against gold ledgers.

    python tests/policy/score_seeds.py [-v]                          # the five seed plans (../shared)
    python tests/policy/score_seeds.py tests/policy/unseen [-v] [u05 u06 …]   # another gold set
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import SEED_DIR, Score, load_gold, report, score_ledger  # noqa: E402

from hqd.policy import extract_ledger  # noqa: E402


def gold_set(directory: Path | None, only: list[str]) -> list[tuple[dict, str]]:
    if directory is None:
        return [(g, (SEED_DIR / f"{stem}.txt").read_text(encoding="utf-8")) for stem, g in load_gold().items()]
    out = []
    for path in sorted(directory.glob("*.json")):
        if only and not any(path.stem.startswith(o) for o in only):
            continue
        out.append((json.loads(path.read_text(encoding="utf-8")), path.with_suffix(".txt").read_text(encoding="utf-8")))
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "-v"]
    directory = Path(args[0]) if args and Path(args[0]).is_dir() else None
    only = args[1:] if directory else args
    total = Score()
    for gold, text in gold_set(directory, only):
        total.add(score_ledger(extract_ledger(text, file=gold["file"]).to_dict(), gold))
    print(report(total))
    if "-v" in sys.argv:
        print("\n".join(total.errors))


if __name__ == "__main__":
    main()
