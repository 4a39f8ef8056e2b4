"""Start the real app (`python app.py`) in a subprocess on a free port, for tests and benchmarks."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.paths import PROJECT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def copy_index(source_data_dir: Path, target_data_dir: Path) -> None:
    """Give a new data folder a copy of an existing search index (building one takes seconds)."""
    target_data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source_data_dir / "index", target_data_dir / "index")


@contextmanager
def serve_app(data_dir: Path, timeout: float = 90.0) -> Iterator[str]:
    """Run app.py with its data in `data_dir`; yields the base URL; stops it afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "INTERVIEWER_DATA_DIR": str(data_dir),
        "INTERVIEWER_PORT": str(port),
        "INTERVIEWER_HOST": "127.0.0.1",
    }
    log = (data_dir / "app.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, str(PROJECT / "app.py")],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited early; see {data_dir / 'app.log'}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"app did not start in {timeout} s; see {data_dir / 'app.log'}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
