"""QA fixes after issue 15 (fixb): offline with a local host, doctor on files that break
commands, and the rough edges of edit, add, -o and check-links."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmdive.net import linkcheck, linkmarks
from llmdive.net.linkcheck import Settings
from llmdive.net.linkmarks import Verdict
from tests.helpers import Invoke
from tests.linkserver import LinkServer, bounded, serving, write_guide


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

    links = [
        ("nowhere", "http://nowhere.invalid/x"),
        ("local", server.base + "/ok"),
        ("named", f"http://fine.example:{port}/ok"),
    ]
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
    assert not any(
        map(
            linkcheck.is_public,
            ["127.0.0.1", "::1", "10.1.2.3", "169.254.1.1", "192.168.0.1", "fe80::1%eth0", "junk"],
        )
    )


def test_check_links_with_only_a_local_host_answering_keeps_nothing_for_unresolved_hosts(
    cli: Invoke, server: LinkServer, tmp_path: Path, home: Path
) -> None:
    guide = write_guide(
        tmp_path / "g.toml",
        {
            "Web": [
                ("paper", "http://nowhere.invalid/paper", "easy"),
                ("video", "https://videos.invalid/watch", "easy"),
                ("local", server.base + "/ok", "medium"),
            ]
        },
    )
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


# ---------------------------------------------------------------- doctor, files that break commands


def doctor_errors(cli: Invoke, *args: str) -> tuple[int, list[str]]:
    result = cli(*args, "doctor")
    return result.exit_code, [line for line in result.stdout.splitlines() if line[:1] == "✗"]


def test_doctor_reports_a_guide_toml_that_is_a_device(cli: Invoke, home: Path) -> None:
    assert cli("mark-read", "lora").exit_code == 0
    (home / "guide.toml").symlink_to("/dev/zero")
    assert cli("list").exit_code == 1
    code, errors = doctor_errors(cli)
    assert code == 1
    assert errors == [
        f"✗ {home / 'guide.toml'} is a device, not a regular file: llmdive reads only "
        "regular files in its home; move it aside"
    ]


def test_doctor_reports_a_journal_that_is_a_fifo_in_a_line(cli: Invoke, home: Path) -> None:
    import os

    assert cli("mark-read", "lora").exit_code == 0
    os.mkfifo(home / ".llmdive-journal")
    result = bounded(lambda: cli("doctor"))
    assert (result.exit_code, result.stderr) == (1, "")
    assert (
        f"✗ {home / '.llmdive-journal'} is a FIFO (named pipe), not a regular file" in result.stdout
    )


@pytest.mark.parametrize("damage", ["deep", "device"])
def test_doctor_reports_a_damaged_linkcheck_json_and_forget_clears_it(
    cli: Invoke, home: Path, damage: str
) -> None:
    assert cli("mark-read", "lora").exit_code == 0
    path = home / "linkcheck.json"
    if damage == "deep":
        path.write_text("[" * 100_000)
    else:
        path.symlink_to("/dev/zero")
    code, errors = doctor_errors(cli)
    assert code == 1
    assert len(errors) == 1 and errors[0].startswith(f"✗ {path}")
    forgot = cli("check-links", "--forget")
    assert forgot.exit_code == 0, forgot.output
    assert forgot.stdout == "Forgot the kept checks: removed the damaged linkcheck.json.\n"
    assert not path.exists() and not path.is_symlink()
    assert Path("/dev/zero").exists()
    assert doctor_errors(cli) == (0, [])


def test_doctor_reports_a_stale_index_lock_with_the_fix_sync_gives(
    cli: Invoke, tmp_path: Path, home: Path
) -> None:
    import subprocess

    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(bare)], check=True)
    assert cli("mark-read", "lora").exit_code == 0
    assert cli("sync", "--remote", str(bare)).exit_code == 0
    assert doctor_errors(cli) == (0, [])
    (home / ".git" / "index.lock").touch()
    synced = cli("sync")
    assert synced.exit_code == 1
    code, errors = doctor_errors(cli)
    assert code == 1
    fix = synced.stderr.removeprefix("llmdive: error: ").removesuffix("; nothing was changed\n")
    assert "rm '" in fix
    assert errors == [f"✗ sync: {fix}"]


# ---------------------------------------------------------------- rough edges


def test_edit_with_nothing_to_change_is_a_usage_error(cli: Invoke) -> None:
    assert cli("add", "https://example.com/mine", "-t", "Mine", "-s", "lora").exit_code == 0
    result = cli("edit", "mine")
    assert result.exit_code == 2
    assert "nothing to change: give --title, --url, --section or --difficulty" in result.stderr


def test_add_says_the_title_it_made_only_once_the_link_is_added(cli: Invoke) -> None:
    refused = cli("add", "ftp://files.example/notes", "-s", "lora")
    assert refused.exit_code == 1
    assert "no --title" not in refused.stderr
    added = cli("add", "https://example.com/lora-notes", "-s", "lora")
    assert added.exit_code == 0, added.output
    assert "no --title: titled 'Lora notes' from its URL" in added.stderr
    again = cli("add", "https://example.com/lora-notes", "-s", "lora")
    assert again.exit_code == 1
    assert "no --title" not in again.stderr


def test_an_output_inside_a_folder_of_the_home_is_said_to_be_inside_the_home(
    cli: Invoke, home: Path
) -> None:
    assert cli("mark-read", "lora").exit_code == 0
    (home / "sub").mkdir()
    target = home / "sub" / "x.md"
    result = cli("progress", "export", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {target} is in llmdive's home {home}: write the export somewhere else\n"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    "browser",
    [
        "python3 -c 'import os, sys; os.system(\"echo \" + sys.argv[1])' %s",
        "/usr/bin/python3.12 -Ic 'pass' %s",
        "perl -le 'system(\"echo $ARGV[0]\")' %s",
        "ruby -e 'system(ARGV[0])' %s",
        "node --eval 'x' %s",
        "env nodejs -p 'x' %s",
    ],
)
def test_a_browser_running_inline_interpreter_code_is_refused(browser: str) -> None:
    from llmdive.net.browser import shell_template

    assert shell_template(browser)


def test_browser_interpreters_running_a_script_are_not_refused() -> None:
    from llmdive.net.browser import shell_template

    for fine in ("python3 /usr/local/bin/open-url %s", "perl -w open.pl %s", "firefox %s"):
        assert not shell_template(fine), fine


def test_the_inline_python_browser_of_qa_runs_nothing(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmdive.errors import LlmdiveError
    from llmdive.net import browser

    monkeypatch.setenv("BROWSER", "python3 -c 'import os,sys; os.system(\"echo \"+sys.argv[1])' %s")
    with pytest.raises(LlmdiveError, match="runs an interpreter's inline code on the URL"):
        browser.open_url("https://b.example/?a=1&cmd")
