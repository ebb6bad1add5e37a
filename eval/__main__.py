"""`python -m eval score DATASET`: the project's figures on an annotated data set (gold format).

Runs the command line's batch forms over the data set, as an evaluator would, through the
contract's scorer when it is beside the checkout, and saves the table under eval/results/.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score.py"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval")
    sub = ap.add_subparsers(dest="command", required=True)
    sc = sub.add_parser("score", help="accuracy on an annotated data set")
    sc.add_argument("dataset", type=Path)
    sc.add_argument("--scorer", type=Path, default=SCORER)
    sc.add_argument("--output", type=Path, default=ROOT / "eval" / "results" / "score.md")
    args = ap.parse_args(argv)
    if not args.scorer.exists():
        print(f"scorer not found: {args.scorer}", file=sys.stderr)
        return 2
    recon = shutil.which("recon") or f"{sys.executable} -m recon.cli"
    done = subprocess.run([sys.executable, str(args.scorer), str(args.dataset), "--recon", recon],
                          capture_output=True, text=True, check=False)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(f"# Accuracy on {args.dataset.name}\n\n```\n{done.stdout}```\n", encoding="utf-8")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
