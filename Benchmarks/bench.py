"""Runs Rebuy's benchmarks side by side with their peers and rewrites BENCHMARKS.md.

    Benchmarks/run            # the full run (1,000,000 customers, about 10 million rows)
    Benchmarks/run --quick    # a smoke run on a small file; asserts nothing about time

Each stage runs every tool as its own process, alternating tools round by round, and reports
the median wall time, the ratio to Rebuy, and the peak resident memory (from wait4). Before
timing, the outputs are checked to agree, so that every tool is timed doing the same job.
"""
import argparse
import csv
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REBUY = ROOT / ".build" / "release" / "rebuy"
PYTHON = sys.executable


def run(command, out_path=None):
    """Runs a command; returns (seconds, peak RSS in MiB). Fails loudly on a non-zero exit."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"benchmark: {' '.join(map(str, command))} failed:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024


def read_features(path):
    """A features CSV as {(customer_id, cutoff): {column: float or None}}."""
    rows = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row.pop("customer_id"), row.pop("cutoff"))
            rows[key] = {k: (float(v) if v not in ("", "nan", "NaN") else None) for k, v in row.items()}
    return rows


def check_same_features(reference_path, other_path, name):
    """Every value of every customer equal to 1e-9 relative; exits if not."""
    a, b = read_features(reference_path), read_features(other_path)
    if a.keys() != b.keys():
        sys.exit(f"benchmark: {name} has {len(b)} rows, Rebuy {len(a)}; they must agree before timing")
    for key, row in a.items():
        for column, u in row.items():
            v = b[key].get(column)
            if (u is None) != (v is None) or (u is not None and abs(u - v) > 1e-9 * max(abs(u), abs(v), 1.0)):
                sys.exit(f"benchmark: {name} differs from Rebuy at {key} {column}: {u} vs {v}")
    return len(a)


def features_stage(data, rounds, out_dir):
    cutoff, horizon = "2024-09-30", "90"
    tools = {
        "rebuy features": [str(REBUY), "features", str(data), "--cutoff", cutoff, "--horizon", horizon,
                           "-o", str(out_dir / "rebuy.csv")],
        "polars (eager)": [PYTHON, str(ROOT / "Benchmarks/peers/features_polars.py"), str(data), cutoff, horizon,
                           str(out_dir / "polars-eager.csv")],
        "polars (lazy)": [PYTHON, str(ROOT / "Benchmarks/peers/features_polars.py"), str(data), cutoff, horizon,
                          str(out_dir / "polars-lazy.csv"), "--lazy"],
        "pandas": [PYTHON, str(ROOT / "Benchmarks/peers/features_pandas.py"), str(data), cutoff, horizon,
                   str(out_dir / "pandas.csv")],
    }
    times = {name: [] for name in tools}
    memory = {name: [] for name in tools}
    for round_index in range(rounds):
        order = list(tools) if round_index % 2 == 0 else list(reversed(tools))
        for name in order:
            seconds, rss = run(tools[name])
            times[name].append(seconds)
            memory[name].append(rss)
            print(f"  round {round_index + 1}: {name}: {seconds:.2f} s, {rss:.0f} MiB", file=sys.stderr)
        if round_index == 0:
            # In a child process: loading the outputs here would grow this process, and a child's
            # peak memory (ru_maxrss) starts from its parent's size at fork.
            for name, path in (("polars (eager)", "polars-eager.csv"), ("polars (lazy)", "polars-lazy.csv"),
                               ("pandas", "pandas.csv")):
                checked = subprocess.run([PYTHON, __file__, "--compare", str(out_dir / "rebuy.csv"), str(out_dir / path), name],
                                         capture_output=True, text=True)
                if checked.returncode != 0:
                    sys.exit(checked.stderr or checked.stdout)
                rows = int(checked.stdout)
            print(f"  outputs agree: {rows:,} rows, every value", file=sys.stderr)
    return {
        "title": "Features and labels from transactions",
        "command": " ".join(tools["rebuy features"]).replace(str(ROOT) + "/", ""),
        "rows": [(name, times[name], memory[name]) for name in tools],
        "agreed_rows": rows,
    }


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    versions = {"swift": swift[0] if swift else "unknown", "python": platform.python_version()}
    for module in ("polars", "pandas", "numpy"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = "not installed"
    rebuy = subprocess.run([str(REBUY), "--version"], capture_output=True, text=True).stdout.strip()
    return cpu, os.cpu_count(), memory, versions, rebuy


def write_report(path, stages, data, customers, quick):
    cpu, cores, memory, versions, rebuy = machine()
    size = data.stat().st_size
    lines = sum(1 for _ in open(data, "rb")) - 1
    out = ["# Benchmarks", "",
           "Written by `Benchmarks/run`" + (" --quick (a smoke run: figures mean nothing)" if quick else "")
           + f" on {time.strftime('%Y-%m-%d')}. Each tool runs as its own process, tools alternating round by round;",
           "the table gives medians, the ratio of each median to Rebuy's, and the median peak resident memory.",
           "Peers run in-process after Python starts (about 1.5 s of imports for polars); times are end to end,",
           "as a user running each command would see them.", "",
           "## Machine", "",
           f"- CPU: {cpu}, {cores} cores; memory: {memory}; {platform.system()} {platform.release()}",
           f"- Rebuy {rebuy}, release build; {versions['swift']}",
           f"- Python {versions['python']}, polars {versions['polars']}, pandas {versions['pandas']}, numpy {versions['numpy']}",
           f"- Data: `rebuy generate --customers {customers} --seed 42` → {lines:,} rows, {size / 1e6:.0f} MB", ""]
    for stage in stages:
        rebuy_median = statistics.median(stage["rows"][0][1])
        out += [f"## {stage['title']}", "", f"`{stage['command']}`", "",
                f"All outputs were checked equal to Rebuy's before timing ({stage['agreed_rows']:,} rows, every value to 1e-9).", "",
                "| tool | median (s) | runs (s) | × Rebuy's time | peak memory (MiB) |",
                "| --- | ---: | --- | ---: | ---: |"]
        for name, times, memory_mib in stage["rows"]:
            median = statistics.median(times)
            runs = ", ".join(f"{t:.2f}" for t in times)
            out.append(f"| {name} | {median:.2f} | {runs} | {median / rebuy_median:.2f} | {statistics.median(memory_mib):.0f} |")
        out.append("")
    path.write_text("\n".join(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small smoke run (20,000 customers, one round)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per stage (default 3, 1 with --quick)")
    parser.add_argument("--compare", nargs=3, metavar=("REBUY_CSV", "OTHER_CSV", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        print(check_same_features(Path(args.compare[0]), Path(args.compare[1]), args.compare[2]))
        return
    customers = 20_000 if args.quick else 1_000_000
    rounds = args.rounds or (1 if args.quick else 3)
    data_dir = ROOT / "Benchmarks" / "data"
    out_dir = ROOT / "Benchmarks" / "out"
    data_dir.mkdir(exist_ok=True)
    out_dir.mkdir(exist_ok=True)
    data = data_dir / f"tx-{customers}.csv"
    if not data.exists():
        print(f"generating {data.name}", file=sys.stderr)
        run([str(REBUY), "generate", "--customers", str(customers), "--seed", "42", "-o", str(data)])
    print("features:", file=sys.stderr)
    stages = [features_stage(data, rounds, out_dir)]
    report = ROOT / ("Benchmarks/out/BENCHMARKS-quick.md" if args.quick else "BENCHMARKS.md")
    write_report(report, stages, data, customers, args.quick)
    print(f"wrote {report.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
