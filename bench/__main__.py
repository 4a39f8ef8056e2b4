"""Run the benchmarks: `python -m bench` runs all, `python -m bench retrieval` one."""

from __future__ import annotations

import importlib
import sys
import time

BENCHES = ["retrieval", "analysis", "session", "ui_load", "stt", "voice_turn", "llm", "batch"]


def main(argv: list[str]) -> int:
    names = argv or BENCHES
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
        return 2
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"\n== {name}")
        start = time.perf_counter()
        module.show(module.run())
        print(f"({time.perf_counter() - start:.1f} s; numbers saved in bench/results/{name}.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
