"""Start-up cost of the `kgov` console script: wall and CPU time of short commands, and what imports cost.

    python3 benchmarks/startup_benchmark.py [--kgov PATH | --venv] [--runs N]

`--kgov` is the console script to time (default: the `kgov` beside this Python, else the one on PATH);
import times are taken with that script's own interpreter (`python -X importtime`). On a shared machine
wall time includes waiting for a CPU: the CPU time (user + system) is the steadier figure. Prints
figures only; no test asserts a time.

`--venv` measures what a user gets: a fresh virtual environment (sharing this Python's installed
libraries) with kgov installed from this checkout as a wheel, so its modules are byte-compiled at
install as pip does, and PYTHONDONTWRITEBYTECODE is unset for the runs. An editable install under
PYTHONDONTWRITEBYTECODE=1 (this machine's default) recompiles kgov's sources on every run instead.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS: dict[str, list[str]] = {
    "kgov --version": ["--version"],
    "kgov --help": ["--help"],
    "kgov lint catalog": ["lint", str(ROOT / "catalog")],
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(script: Path, args: list[str], runs: int) -> dict[str, float]:
    """Median and best wall time and median CPU time of `runs` runs, in seconds."""
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        cpu0, wall0 = _children_cpu(), time.perf_counter()
        done = subprocess.run([str(script), *args], capture_output=True, check=False)
        walls.append(time.perf_counter() - wall0)
        cpus.append(_children_cpu() - cpu0)
        if done.returncode != 0:
            sys.exit(f"{script} {' '.join(args)} exited {done.returncode}:\n{done.stderr.decode()}")
    return {"median": statistics.median(walls), "best": min(walls), "cpu": statistics.median(cpus)}


def interpreter_of(script: Path) -> str:
    first = script.read_bytes().split(b"\n", 1)[0]
    return first[2:].decode().strip() if first.startswith(b"#!") else sys.executable


def import_costs(python: str, args: list[str], runs: int) -> dict[str, float]:
    """Seconds of import time per top-level package (self time, summed; median of runs) for one command."""
    code = f"import sys; sys.argv = ['kgov', *{args!r}]; from kgov.cli import main; main()"
    samples: dict[str, list[int]] = defaultdict(lambda: [0] * runs)
    for run in range(runs):
        done = subprocess.run(
            [python, "-X", "importtime", "-c", code], capture_output=True, text=True, check=False
        )
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
            samples[name.split(".")[0]][run] += int(self_us)
    return {package: statistics.median(us) / 1e6 for package, us in samples.items()}


def fresh_venv() -> Path:
    """A throwaway venv with kgov installed from this checkout (dependencies from this Python's)."""
    folder = Path(tempfile.mkdtemp(prefix="kgov-startup-"))
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(folder)], check=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)]
    subprocess.run(pip, check=True, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    return folder / "bin" / "kgov"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--kgov", type=Path, help="the console script to time")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--top", type=int, default=10, help="how many import offenders to list")
    parser.add_argument("--venv", action="store_true", help="time a fresh venv's console script")
    options = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if options.venv:
        options.kgov = fresh_venv()
        try:
            measure(options)
        finally:
            shutil.rmtree(options.kgov.parents[1], ignore_errors=True)
        return
    measure(options)


def measure(options: argparse.Namespace) -> None:
    beside = Path(sys.executable).with_name("kgov")
    script = options.kgov or (beside if beside.exists() else Path(shutil.which("kgov") or "kgov"))
    if not script.exists():
        sys.exit(f"no kgov console script at {script}; pass --kgov")
    python = interpreter_of(script)
    print(f"console script {script} ({python}), {options.runs} runs, {os.cpu_count()} CPUs")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print(f"{'command':<20} {'median wall':>12} {'best wall':>10} {'median CPU':>11}")
    for name, args in COMMANDS.items():
        t = time_command(script, args, options.runs)
        print(f"{name:<20} {t['median']:>11.3f}s {t['best']:>9.3f}s {t['cpu']:>10.3f}s")
    for name, args in COMMANDS.items():
        costs = import_costs(python, args, max(1, options.runs // 2))
        total = sum(costs.values())
        top = sorted(costs.items(), key=lambda kv: -kv[1])[: options.top]
        print(f"\nimports of `{name}`: {total:.3f}s in {len(costs)} packages (python -X importtime, median)")
        for package, seconds in top:
            print(f"  {package:<28} {seconds:.3f}s")


if __name__ == "__main__":
    main()
