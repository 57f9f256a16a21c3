"""Executes every notebook in Notebooks/ headless (nbclient), so that they never rot.

First checks that each committed notebook is exactly what Notebooks/make_notebooks.py writes
(so no outputs are committed), then runs it in a fresh kernel in a temporary folder, against the
given rebuy binary, and requires every cell to run without error and every notebook to draw
at least one figure.

    python Notebooks/checks/notebooks_check.py [path/to/rebuy] [--executed DIR]

--executed DIR also writes the executed notebooks (with their outputs) to DIR, to look at.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ["quickstart.ipynb", "model-comparison.ipynb", "customer-analytics.ipynb"]


def main():
    args = sys.argv[1:]
    executed = None
    if "--executed" in args:
        executed = Path(args[args.index("--executed") + 1])
        del args[args.index("--executed"):args.index("--executed") + 2]
        executed.mkdir(parents=True, exist_ok=True)
    # Absolute: the kernels run in a temporary folder.
    rebuy = str(Path(args[0] if args else ROOT / ".build" / "debug" / "rebuy").resolve())
    subprocess.run([sys.executable, str(ROOT / "Notebooks" / "make_notebooks.py"), "--check"], check=True)
    for name in NOTEBOOKS:
        nb = nbformat.read(ROOT / "Notebooks" / name, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{name} has outputs committed"
        with tempfile.TemporaryDirectory() as work:
            os.environ.update({"REBUY": rebuy, "REBUY_ROOT": str(ROOT), "REBUY_WORK": work, "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
            start = time.perf_counter()
            client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": work}})
            client.execute()
            figures = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
                          if o.get("output_type") == "display_data" and "image/png" in o.get("data", {}))
            errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
            if errors or figures == 0:
                sys.exit(f"{name}: {len(errors)} errors, {figures} figures")
            if executed:
                nbformat.write(nb, executed / name)
            print(f"{name}: {len(nb.cells)} cells ran, {figures} figures ({time.perf_counter() - start:.1f} s)")
    print("notebooks check passed")


if __name__ == "__main__":
    main()
