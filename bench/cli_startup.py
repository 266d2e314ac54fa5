"""How fast the `filmbot` command starts: `healthcheck` (Docker runs it every minute) and
`db current`, each as a fresh process, best of N runs, with its CPU time and peak memory.

    .venv/bin/python bench/cli_startup.py [--runs 7]

Targets: healthcheck under 0.3 s and 40 MB, db current under 0.7 s. For scale, the bare
interpreter (`python -c pass`) is measured the same way.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Runs the command as its only child, so the children's usage is the command's own.
MEASURE = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "code = subprocess.run(sys.argv[1:], capture_output=True).returncode; "
    "wall = time.perf_counter() - t; used = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(wall, used.ru_utime + used.ru_stime, used.ru_maxrss, code)"
)


def _run(command: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    """Best wall time and CPU time in seconds, and peak RSS in MB, of `runs` runs."""
    best, cpu, peak = float("inf"), float("inf"), 0.0
    for _ in range(runs):
        measured = subprocess.run(
            [sys.executable, "-c", MEASURE, *command],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall, used, rss_kb, code = measured.stdout.split()
        if code != "0":
            raise SystemExit(f"{' '.join(command)} exited {code}")
        best, cpu = min(best, float(wall)), min(cpu, float(used))
        peak = max(peak, int(rss_kb) / 1024)
    return best, cpu, peak


def _goal(target: tuple[float, float | None] | None) -> str:
    if target is None:
        return ""
    wall, rss = target
    return f"< {wall} s" + (f", < {rss:.0f} MB" if rss else "")


def main() -> None:
    parser = argparse.ArgumentParser(description="filmbot start-up time and memory")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        heartbeat = folder / "heartbeat"
        heartbeat.touch()
        env = {
            **os.environ,
            "HEALTH_FILE": str(heartbeat),
            "LOG_DIR": str(folder / "logs"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        }
        cli = [sys.executable, "-m", "filmbot"]
        subprocess.run([*cli, "db", "upgrade"], env=env, capture_output=True, check=True)
        rows: list[tuple[str, list[str], tuple[float, float | None] | None]] = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("filmbot healthcheck", [*cli, "healthcheck"], (0.3, 40.0)),
            ("filmbot db current", [*cli, "db", "current"], (0.7, None)),
        ]
        print(f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs")
        print(f"{'command':<22} {'best wall':>10} {'best CPU':>9} {'peak RSS':>9}  target")
        for name, command, target in rows:
            wall, cpu, rss = _run(command, env, args.runs)
            print(f"{name:<22} {wall:>9.3f}s {cpu:>8.3f}s {rss:>7.0f}MB  {_goal(target)}")


if __name__ == "__main__":
    main()
