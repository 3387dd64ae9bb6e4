"""QA fixes after issue 15 (fixb): offline with a local host, doctor on files that break
commands, and the rough edges of edit, add, -o and check-links."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmdive import linkcheck, linkmarks
from llmdive.linkcheck import Settings
from llmdive.linkmarks import Verdict

from .conftest import Invoke
from .linkserver import LinkServer, bounded, serving, write_guide


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with serving() as s:
        yield s


# ---------------------------------------------------------------- offline, a local host answers


def test_only_a_name_resolving_to_a_public_address_makes_unresolved_hosts_evidence(
    server: LinkServer,
) -> None:
    port = server.server_address[1]

    def resolver(host: str, port: int) -> list[Any]:
        if host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return socket.getaddrinfo("127.0.0.1", port, type=socket.SOCK_STREAM)

    links = [("nowhere", "http://nowhere.invalid/x"), ("local", server.base + "/ok"),
             ("named", f"http://fine.example:{port}/ok")]  # fmt: skip
    # Loopback answers (by literal or by name) prove nothing about name lookups.
    run = bounded(lambda: linkcheck.check(links, Settings(timeout=2, resolve=resolver)))
    assert not run.offline
    assert [o.result for o in run.outcomes] == [Verdict.DEAD, Verdict.OK, Verdict.OK]
    assert [o.id for o in run.unconfirmed()] == ["nowhere"]
    # A name that resolved to a public address: the unresolved host is evidence.
    public = Settings(timeout=2, resolve=resolver, public=lambda address: True)
    run = bounded(lambda: linkcheck.check(links, public))
    assert run.named and run.unconfirmed() == []
    # An IP literal is no name lookup, whatever its address.
    literal = Settings(timeout=2, resolve=resolver, public=lambda address: True)
    run = bounded(lambda: linkcheck.check(links[:2], literal))
    assert [o.id for o in run.unconfirmed()] == ["nowhere"]
    assert linkcheck.is_public("8.8.8.8")
    assert not any(map(linkcheck.is_public, ["127.0.0.1", "::1", "10.1.2.3", "169.254.1.1",
                                             "192.168.0.1", "fe80::1%eth0", "junk"]))  # fmt: skip


def test_check_links_with_only_a_local_host_answering_keeps_nothing_for_unresolved_hosts(
    cli: Invoke, server: LinkServer, tmp_path: Path, home: Path
) -> None:
    guide = write_guide(tmp_path / "g.toml", {"Web": [
        ("paper", "http://nowhere.invalid/paper", "easy"),
        ("video", "https://videos.invalid/watch", "easy"),
        ("local", server.base + "/ok", "medium"),
    ]})  # fmt: skip
    env = {"LLMDIVE_GUIDE": str(guide)}
    result = bounded(lambda: cli("check-links", "--timeout", "2", env=env))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Checked 1 link: 1 ok.")
    assert result.stderr == (
        "llmdive: warning: 2 links on hosts that do not resolve, but no other name resolved "
        "to a public address either (only local hosts answered): this machine looks offline, "
        "so nothing was recorded for them: paper, video\n"
    )
    assert set(linkmarks.read_results(home)) == {"local"}
    assert cli("next", env=env).stdout.startswith("Web  · paper ")
    listed = json.loads(cli("list", "--json", env=env).stdout)
    assert all(d.get("link_check") is None for d in listed if d["id"] != "local")
