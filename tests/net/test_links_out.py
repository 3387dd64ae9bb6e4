"""Links out: exports link only to http(s) URLs; no URL can run a command through $BROWSER."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from llmdive.guide.catalogue import Catalogue
from llmdive.model.models import Progress
from llmdive.record import export as record
from tests.helpers import Invoke, links_in, subprocess_env

HOSTILE_URLS = {
    "js-link": "javascript:alert(document.cookie)",
    "data-link": "data:text/html,<script>alert(1)</script>",
    "file-link": "file:///etc/passwd",
    "blank-link": "",
}
PWN = "https://a.example/$(touch${IFS}pwned)"


def gone_links() -> dict[str, object]:
    return {
        "version": 1,
        "links": {
            key: {
                "status": "read",
                "changed": "2025-01-01T00:00:00Z",
                "title": f"Gone {key}",
                "url": url,
            }
            for key, url in {
                **HOSTILE_URLS,
                "web-link": "https://g.example/x",
                "secret-link": "https://me:hunter2@s.example/",
            }.items()
        },
    }


def test_markdown_export_links_only_http_urls_of_links_gone_from_the_guide(
    catalogue: Catalogue,
) -> None:
    text = record.export_checklist(catalogue, Progress.from_dict(gone_links()))
    gone = text.split("## Not in the current guide\n", 1)[1]
    assert links_in(gone) == [
        ("https://s.example/", "Gone secret-link"),
        ("https://g.example/x", "Gone web-link"),
    ]
    assert "hunter2" not in text
    lines = gone.strip().splitlines()
    assert (
        "- [x] Gone js-link (not a web link: javascript:alert(document.cookie)) · read 2025-01-01"
    ) in lines
    assert (
        "- [x] Gone data-link (not a web link: data:text/html,\\<script\\>alert(1)\\</script\\>)"
        " · read 2025-01-01"
    ) in lines
    assert "- [x] Gone blank-link · read 2025-01-01" in lines
    assert all(href.startswith(("http://", "https://")) for href, _ in links_in(text))


def test_progress_export_of_a_hand_written_record_links_no_script(cli: Invoke, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "progress.json").write_text(json.dumps(gone_links()), encoding="utf-8")
    result = cli("progress", "export")
    assert result.exit_code == 0, result.output
    assert "](javascript" not in result.stdout and "](data:" not in result.stdout
    assert "](file:" not in result.stdout and "]()" not in result.stdout
    assert "[Gone web-link](https://g.example/x)" in result.stdout


# ---------------------------------------------------------------- the browser


def test_shell_safe_encodes_what_a_shell_interprets_and_keeps_the_page() -> None:
    from llmdive.net.browser import shell_safe

    assert shell_safe(PWN) == "https://a.example/%24%28touch%24%7BIFS%7Dpwned%29"
    for kept in (
        "https://www.youtube.com/watch?v=bCz4OMemCcA&t=90s#x",
        "https://a.example/~me/a-b_c.d/%C3%A9?q=1+2,3@x",
        "http://[::1]:8080/p",
        "https://xn--caf-dma.example/é",
    ):
        assert shell_safe(kept) == kept
    assert shell_safe("https://a.example/a;b|c`d'e\"f<g>h!i*j{k}l^m[n]o\\p") == (
        "https://a.example/a%3Bb%7Cc%60d%27e%22f%3Cg%3Eh%21i%2Aj%7Bk%7Dl%5Em%5Bn%5Do%5Cp"
    )


def test_a_browser_template_is_refused_only_when_a_shell_parses_the_url() -> None:
    from llmdive.net.browser import shell_template

    for shell in (
        "sh -c 'echo %s'",
        'bash -lc "firefox %s"',
        "env A=1 /bin/dash -ec %s",
        "nohup zsh -c 'open %s &'",
    ):
        assert shell_template(shell), shell
    for fine in (
        "firefox %s",
        "chromium --app=%s",
        "xdg-open",
        "sh -c 'firefox \"$1\"' sh %s",
        "sh ./open-it.sh %s",
        "lynx",
    ):
        assert not shell_template(fine), fine


def open_pwn(tmp_path: Path, home: Path, browser: str) -> subprocess.CompletedProcess[str]:
    """`add` a link whose URL holds a command, then `open --start` it with $BROWSER=browser."""
    env = subprocess_env(LLMDIVE_HOME=str(home), BROWSER=browser)
    main = [sys.executable, "-c", "from llmdive.cli import main; main()"]
    added = subprocess.run(
        [*main, "add", PWN, "-t", "Pwn", "-s", "lora"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert added.returncode == 0, added.stderr
    return subprocess.run(
        [*main, "open", "pwn", "--start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_a_shell_template_in_browser_is_refused_and_runs_nothing(
    tmp_path: Path, home: Path
) -> None:
    proc = open_pwn(tmp_path, home, "sh -c 'echo %s'")
    assert proc.returncode == 1
    assert proc.stdout == f"Pwn\n{PWN}\n"  # printed as it is, to open by hand
    assert proc.stderr == (
        "llmdive: error: not handing the URL to $BROWSER (sh -c 'echo %s'): it writes the URL "
        "into a shell command, where text from a URL could run; set $BROWSER to the browser "
        "itself (for example 'firefox %s'); open the URL above by hand; nothing was marked\n"
    )
    assert not (tmp_path / "pwned").exists()
    assert '"reading"' not in (home / "progress.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("via", ["eval", "template"])
def test_a_browser_that_evals_its_argument_runs_nothing_from_the_url(
    tmp_path: Path, home: Path, via: str
) -> None:
    record_file = tmp_path / "opened.txt"
    script = tmp_path / "careless-browser"
    # A wrapper that hands its argument to a shell, which llmdive cannot see from outside.
    script.write_text(f'#!/bin/sh\neval "echo $1" >> "{record_file}"\n', encoding="utf-8")
    script.chmod(0o755)
    proc = open_pwn(tmp_path, home, str(script) + (" %s" if via == "template" else ""))
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "pwned").exists()
    assert record_file.read_text(encoding="utf-8") == (
        "https://a.example/%24%28touch%24%7BIFS%7Dpwned%29\n"
    )
