"""Writing the oracle fixtures, or checking that the committed ones are current: shared by the
oracle scripts in this folder."""
import argparse
import json
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "Fixtures"


def close(a, b, tolerance):
    """Equal structures, floats to a relative tolerance (summation order and iterative solvers
    may differ between machines in the last digits)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(u, v, tolerance) for u, v in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))
    return a == b


def write_or_check(description, makers, script, tolerance):
    """`makers`: (fixture name, function making its data). Writes Tests/Fixtures/NAME.json, or
    with --check compares (versions aside) and exits non-zero when one is out of date."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed fixtures instead of writing")
    args = parser.parse_args()
    stale = []
    for name, make in makers:
        data = make()
        target = FIXTURES / f"{name}.json"
        if args.check:
            committed = json.loads(target.read_text())
            committed.pop("versions", None)
            current = {k: v for k, v in data.items() if k != "versions"}
            if not close(committed, current, tolerance):
                stale.append(name)
            print(f"{name}: {'differs' if name in stale else 'matches'}")
        else:
            target.write_text(json.dumps(data, separators=(",", ":")) + "\n")
            print(f"wrote Tests/Fixtures/{target.name}")
    if stale:
        sys.exit(f"fixtures out of date: {', '.join(stale)}; run python {script}")
