"""Nothing reaches the network: the guard refuses it, and ingest and search never try."""

from __future__ import annotations

import socket

import pytest

from interviewer.config import Settings
from interviewer.indexing import ingest
from interviewer.retrieval import Retriever
from tests.conftest import NetworkBlockedError, NetworkGuard


def test_guard_refuses_outside_connections_and_allows_loopback(network_guard: NetworkGuard) -> None:
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)  # TEST-NET-1, never routable
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("pypi.org", 443)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with socket.create_connection(server.getsockname(), timeout=1):
        pass
    server.close()


def test_ingest_and_search_make_no_outside_connection(
    settings: Settings, network_guard: NetworkGuard
) -> None:
    before = list(network_guard.attempts)
    ingest(None, settings)  # a fresh store: client start-up, model load, embedding, writes
    retriever = Retriever(settings)
    assert retriever.passages("class imbalance", k=3, persona="ml_expert")
    assert retriever.nearest_questions("class imbalance", k=3)
    assert network_guard.attempts == before
