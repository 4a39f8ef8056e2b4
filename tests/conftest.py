"""Shared fixtures: an isolated data folder, a network guard, and one pack index per test run."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interviewer.config import Settings, apply_offline_environment
from tests.paths import SHARED_DATA


class NetworkBlockedError(RuntimeError):
    """A test tried to reach beyond this machine."""


def _is_local(host: Any) -> bool:
    if not isinstance(host, str):
        return True
    if host in {"localhost", "", "ip6-localhost"}:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkGuard:
    """Refuses any connection or name lookup that is not loopback, and records the attempts."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._connect = socket.socket.connect
        self._connect_ex = socket.socket.connect_ex
        self._getaddrinfo = socket.getaddrinfo

    def _check(self, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and not _is_local(host):
            self.attempts.append(str(host))
            raise NetworkBlockedError(f"network access to {host!r} blocked in tests")

    def install(self) -> None:
        guard = self

        def connect(sock: socket.socket, address: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                guard._check(address)
            return guard._connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                guard._check(address)
            return guard._connect_ex(sock, address)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if host is not None and not _is_local(host if isinstance(host, str) else host.decode()):
                guard.attempts.append(str(host))
                raise NetworkBlockedError(f"name lookup of {host!r} blocked in tests")
            return guard._getaddrinfo(host, *args, **kwargs)

        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = getaddrinfo

    def uninstall(self) -> None:
        socket.socket.connect = self._connect  # type: ignore[method-assign]
        socket.socket.connect_ex = self._connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = self._getaddrinfo


@pytest.fixture(scope="session", autouse=True)
def network_guard() -> Iterator[NetworkGuard]:
    """Every test runs offline: a non-loopback connection fails the code that tried it."""
    apply_offline_environment()
    guard = NetworkGuard()
    guard.install()
    yield guard
    guard.uninstall()


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh, empty data folder."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def pack_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data folder holds an index of the knowledge pack, built once per run."""
    from interviewer.indexing import ingest

    s = Settings(data_dir=tmp_path_factory.mktemp("pack-data"))
    ingest(None, s)
    return s


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The evaluation datasets next to the repository; tests needing them skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"evaluation data not found at {SHARED_DATA}")
    return SHARED_DATA
