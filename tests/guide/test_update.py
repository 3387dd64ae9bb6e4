from __future__ import annotations

import contextlib
import http.server
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide import fetch, update
from llmdive.guide.catalogue import Catalogue, load_catalogue
from llmdive.guide.readme import parse_readme
from llmdive.home import storage
from llmdive.home.lock import locked
from llmdive.home.paths import JOURNAL, bundled_guide
from llmdive.model.models import Related
from llmdive.model.urls import redact_url
from llmdive.model.vocab import Difficulty, Status
from llmdive.record import guidechange
from tests.helpers import FIXTURES, REPO, Invoke, failing_at, ok, subprocess_env

V2 = FIXTURES / "guide-v2-renamed.md"
V3 = FIXTURES / "guide-v3-additions.md"


def reconcile_with(
    readme: Path, states: dict[str, Status] | None = None
) -> tuple[Catalogue, update.Report]:
    old = load_catalogue(bundled_guide())
    new = Catalogue(parse_readme(readme.read_text(encoding="utf-8")).guide)
    report = update.carry_ids(old, new, states or {}, set(states or {}), str(readme))
    return new, report


def test_ids_survive_renames_rehosting_moves_and_badges() -> None:
    new, report = reconcile_with(V2, {"tweet-learn-ml-rt": Status.READ})
    by_id = {i.link.id: i for i in new.items}
    # Re-hosted on Medium with the "| by ... | Medium" suffix dropped: same id.
    rehosted = by_id["llm-inference-series-2"].link
    assert rehosted.url.startswith("https://medium.com/@plienhar/")
    assert rehosted.title == "LLM Inference Series: 2. The two-phase process behind LLMs' responses"
    assert by_id["lora-explained"].link.title == "Umar Jamil: LoRA (Low-Rank Adaptation) explained"
    assert by_id["illustrated-gpt2"].link.difficulty.value == "medium"
    assert [t.title for t in by_id["sparse-autoencoders"].path] == [
        "Model Architecture",
        "Attention",
    ]
    assert {c.id for c in report.retitled} == {"lora-explained", "llm-inference-series-2"}
    assert [(c.id, c.before, c.after) for c in report.rebadged] == [
        ("illustrated-gpt2", "easy", "medium")
    ]
    assert [c.id for c in report.moved] == ["sparse-autoencoders"]
    assert {c.id for c in report.url_changed} == {
        "illustrated-transformer",
        "llm-inference-series-2",
    }
    removed = {c.id: c.status for c in report.removed}
    assert removed == {
        "tweet-learn-ml-rt": Status.READ,
        "llm-inference": Status.UNREAD,
        "llm-inference-chunked": Status.UNREAD,
    }


def test_an_ambiguous_pair_is_reported_not_guessed() -> None:
    new, report = reconcile_with(V2)
    assert report.ambiguous == [
        {
            "new": "LLM Inference Optimizations: Continuous and Chunked Batching",
            "candidates": [
                "llm-inference",
                "llm-inference-chunked",
            ],
            "section": ["Deployment"],
        }
    ]
    # The title's start is taken: a later word of it that still fits 24 characters.
    assert [c.id for c in report.added] == ["llm-inference-continuous"]


def test_only_genuinely_new_links_get_new_ids() -> None:
    new, report = reconcile_with(V3)
    assert [(c.id, c.title) for c in report.added] == [
        ("annotated-transformer", "The Annotated Transformer"),
        ("fineweb-datasets", "The FineWeb datasets"),
        ("illustrating-rlhf", "Illustrating RLHF"),
    ]
    assert [(c.id, c.before, c.after) for c in report.rebadged] == [
        ("agentic-llms-deep-dive", "unrated", "easy")
    ]
    old_ids = set(load_catalogue(bundled_guide()).by_id)
    assert old_ids <= {i.link.id for i in new.items}
    assert not report.removed and not report.retitled and not report.moved


def test_new_ids_never_reuse_an_id_progress_holds() -> None:
    old = load_catalogue(bundled_guide())
    new = Catalogue(parse_readme(V3.read_text(encoding="utf-8")).guide)
    report = update.carry_ids(old, new, {}, {"annotated-transformer"}, "v3")
    assert "annotated-transformer" not in {c.id for c in report.added}
    assert "annotated-transformer-2" in {c.id for c in report.added}


# ---------------------------------------------------------------- through the CLI


def test_update_keeps_every_read_mark_and_never_rewrites_progress(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "llm-inference-series-2", "lora", "illustrated-gpt2", "tweet", "sparse"))
    before = (home / "progress.json").read_bytes()
    dry = json.loads(ok(cli("guide", "update", "--from", str(V2), "--dry-run", "--json")))
    assert dry["dry_run"] is True
    assert not (home / "guide.toml").exists()
    removed = [c["link"] for c in dry["removed"] if c["link"]["status"] != "unread"]
    assert [(c["id"], c["status"]) for c in removed] == [("tweet-learn-ml-rt", "read")]
    out = ok(cli("guide", "update", "--from", str(V2)))
    assert "Updated the guide from" in out
    assert "(you: read)" in out
    assert (home / "progress.json").read_bytes() == before
    read = json.loads(ok(cli("list", "--status", "read", "--json")))
    assert sorted(d["id"] for d in read) == [
        "illustrated-gpt2",
        "llm-inference-series-2",
        "lora-explained",
        "sparse-autoencoders",
    ]
    orphans = json.loads(ok(cli("progress", "--json")))["orphans"]
    assert [o["id"] for o in orphans] == ["tweet-learn-ml-rt"]
    status = json.loads(ok(cli("guide", "status", "--json")))
    assert status["kind"] == "updated" and status["source"] == str(V2) and status["links"] == 27


def test_a_link_that_comes_back_gets_its_id_and_progress_back(cli: Invoke) -> None:
    ok(cli("mark-read", "tweet"))
    ok(cli("guide", "update", "--from", str(V2)))
    report = json.loads(ok(cli("guide", "update", "--from", str(V3), "--json")))
    # Only links with progress are remembered once they leave; this one had a read mark.
    returned = [c["link"] for c in report["returned"]]
    assert [(c["id"], c["status"]) for c in returned] == [("tweet-learn-ml-rt", "read")]
    assert json.loads(ok(cli("show", "tweet", "--json")))["status"] == "read"


def test_whatsnew_lists_unread_arrivals_per_section(cli: Invoke) -> None:
    assert "Nothing new and unread" in ok(cli("whatsnew"))
    ok(cli("guide", "update", "--from", str(V3)))
    data = json.loads(ok(cli("whatsnew", "--json")))
    assert [(g["section"], [d["id"] for d in g["links"]]) for g in data] == [
        ("Model Architecture", ["annotated-transformer"]),
        ("Datasets", ["fineweb-datasets"]),
        ("FineTuning", ["illustrating-rlhf"]),
    ]
    ok(cli("mark-read", "fineweb"))
    data = json.loads(ok(cli("whatsnew", "--json")))
    assert [g["section"] for g in data] == ["Model Architecture", "FineTuning"]
    nxt = json.loads(ok(cli("next", "--section", "datasets", "--json")))
    assert nxt == [
        {"section": "Datasets", "link": None, "more": [], "passed_over": [], "offers": []}
    ]


def test_a_failed_update_changes_nothing(cli: Invoke, home: Path, tmp_path: Path) -> None:
    ok(cli("mark-read", "lora"))
    ok(cli("guide", "update", "--from", str(V2)))
    snapshot = {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()}
    empty = tmp_path / "empty.md"
    empty.write_text("# Nothing\n\nno sections here\n")
    for source in (str(empty), str(tmp_path / "missing.md")):
        result = cli("guide", "update", "--from", source)
        assert result.exit_code == 1
        assert result.stderr.startswith("llmdive: error: ")
        assert {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()} == snapshot


# ---------------------------------------------------------------- fetching over HTTP


@pytest.fixture
def server() -> Iterator[str]:
    """A web server on 127.0.0.1 serving the fixtures folder."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(FIXTURES), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_update_from_a_url(cli: Invoke, server: str, home: Path) -> None:
    ok(cli("guide", "update", "--from", f"{server}/guide-v3-additions.md"))
    assert json.loads(ok(cli("guide", "status", "--json")))["source"] == (
        f"{server}/guide-v3-additions.md"
    )
    assert json.loads(ok(cli("show", "annotated", "--json")))["title"] == (
        "The Annotated Transformer"
    )


def test_http_errors_are_one_line(cli: Invoke, server: str, home: Path) -> None:
    result = cli("guide", "update", "--from", f"{server}/nope.md")
    assert result.exit_code == 1
    assert (
        result.stderr == f"llmdive: error: cannot fetch {server}/nope.md: HTTP 404 File not found\n"
    )
    assert not home.exists() or not (home / "guide.toml").exists()


def test_a_refused_connection_is_an_error_in_words() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(LlmdiveError) as caught:
        update.read_readme(f"http://127.0.0.1:{port}/g.md")
    assert str(caught.value) == (
        f"cannot reach 127.0.0.1:{port} (connection refused): "
        "check your connection, or use --from FILE"
    )


def test_a_silent_server_times_out() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        url = f"http://127.0.0.1:{s.getsockname()[1]}/g.md"
        with pytest.raises(LlmdiveError, match="timed out"):
            update.read_readme(url, timeout=0.5)


# ---------------------------------------------------------------- guarded updates and reset


def home_files(home: Path) -> dict[str, bytes]:
    if not home.exists():
        return {}
    return {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()}


def test_llmdives_own_readme_in_a_fresh_clone_is_refused_and_changes_nothing(
    home: Path,
) -> None:
    """From a fresh clone, the README's own example run inside the clone."""
    env = subprocess_env(LLMDIVE_HOME=str(home))
    run = [sys.executable, "-m", "llmdive"]
    marked = subprocess.run([*run, "mark-read", "lora", "dpo"], env=env, cwd=REPO, timeout=60)
    assert marked.returncode == 0
    before = home_files(home)
    proc = subprocess.run(
        [*run, "guide", "update", "--from", "README.md"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == (
        "llmdive: error: refused: README.md is evidently not a reading list: "
        "it has no links in lists, tables or headings; nothing was changed (--force applies it)"
    )
    assert "removed   lora-explained" in proc.stdout  # the report, as --dry-run shows it
    assert home_files(home) == before
    assert not (home / "guide.toml").exists()


def test_an_update_removing_over_half_the_guide_is_refused_unless_forced(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    ok(cli("mark-read", "lora"))
    small = tmp_path / "small.md"
    small.write_text(
        "### FineTuning\n\n"
        "- ![Easy] [Umar Jamil: LoRA Explained](https://www.youtube.com/watch?v=PXWYUTMt-AU)\n"
    )
    before = home_files(home)
    refused = cli("guide", "update", "--from", str(small), "--json")
    assert refused.exit_code == 1
    report = json.loads(refused.stdout)
    assert report["refused"] == "this update would remove 28 of the guide's 29 links"
    assert len(report["removed"]) == 28
    assert "--force" in refused.stderr
    assert home_files(home) == before
    dry = cli("guide", "update", "--from", str(small), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "applying it needs --force" in dry.stderr
    assert home_files(home) == before
    ok(cli("guide", "update", "--from", str(small), "--force"))
    assert [d["id"] for d in json.loads(ok(cli("list", "--json")))] == ["lora-explained"]


def test_reset_after_a_forced_bad_update_restores_the_guide_and_every_read_mark(
    cli: Invoke, home: Path
) -> None:
    ok(cli("mark-read", "lora", "dpo", "tweet"))
    ok(cli("skip", "whisper"))
    ok(cli("note", "dpo", "read twice"))
    progress_before = (home / "progress.json").read_bytes()
    listing_before = ok(cli("list", "--json"))
    ok(cli("guide", "update", "--from", str(REPO / "README.md"), "--force"))
    assert json.loads(ok(cli("list", "--json"))) == []
    assert json.loads(ok(cli("guide", "status", "--json")))["kind"] == "updated"
    report = json.loads(ok(cli("guide", "reset", "--json")))
    assert {c["link"]["id"]: c["link"]["status"] for c in report["returned"]} == {
        "lora-explained": "read",
        "dpo-explained": "read",
        "tweet-learn-ml-rt": "read",
        "whisper-model-explained": "skipped",
    }
    assert len(report["added"]) + len(report["returned"]) == 29 and report["removed"] == []
    assert (home / "progress.json").read_bytes() == progress_before
    assert ok(cli("list", "--json")) == listing_before
    status = json.loads(ok(cli("guide", "status", "--json")))
    assert status["kind"] == "bundled" and status["catalogue"] == str(bundled_guide())
    assert not (home / "guide.toml").exists()
    assert "Nothing new and unread" in ok(cli("whatsnew"))
    assert "Already using the bundled guide" in ok(cli("guide", "reset"))


def test_reset_reports_what_changes_and_a_dry_run_changes_nothing(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "lora"))
    ok(cli("guide", "update", "--from", str(V3)))
    before = home_files(home)
    dry = json.loads(ok(cli("guide", "reset", "--dry-run", "--json")))
    assert dry["dry_run"] is True
    assert [c["link"]["id"] for c in dry["removed"]] == [
        "annotated-transformer",
        "fineweb-datasets",
        "illustrating-rlhf",
    ]
    assert [(c["link"]["id"], c["before"], c["after"]) for c in dry["rebadged"]] == [
        ("agentic-llms-deep-dive", "easy", "unrated")
    ]
    assert home_files(home) == before
    out = ok(cli("guide", "reset"))
    assert out.startswith("Back to the guide bundled with llmdive\n")
    assert "annotated-transformer" in out
    assert json.loads(ok(cli("guide", "status", "--json")))["kind"] == "bundled"


# ---------------------------------------------------------------- following upstream


class Upstream:
    """A server on 127.0.0.1 that plays the guide's upstream: ETags, slow and huge answers."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[dict[str, str]] = []
        self.url = ""


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    state = Upstream()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            state.requests.append({"path": self.path, **dict(self.headers.items())})
            if self.path == "/slow":  # headers, then a byte every 0.1 s for a minute
                self.send_response(200)
                self.end_headers()
                for _ in range(600):
                    try:
                        self.wfile.write(b"#")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.1)
                return
            if self.path == "/huge":  # no Content-Length: the limit is found while reading
                self.send_response(200)
                self.end_headers()
                with contextlib.suppress(OSError):
                    for _ in range(6 * 16):
                        self.wfile.write(b"x" * 65536)
                return
            if self.path == "/to-file":
                self.send_response(302)
                self.send_header("Location", "ftp://127.0.0.1:9/README.md")
                self.end_headers()
                return
            path = self.path.split("?")[0]
            if path not in state.files:
                self.send_error(404)
                return
            body, etag = state.files[path]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_update_with_no_source_follows_upstream_and_asks_only_for_changes(
    cli: Invoke, home: Path, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream.files["/README.md"] = (V3.read_bytes(), '"v3"')
    monkeypatch.setenv("LLMDIVE_GUIDE_URL", f"{upstream.url}/README.md")
    ok(cli("guide", "update"))
    assert "If-None-Match" not in upstream.requests[-1]
    assert json.loads(ok(cli("show", "annotated", "--json")))["title"] == (
        "The Annotated Transformer"
    )
    before = home_files(home)
    out = ok(cli("guide", "update"))
    assert upstream.requests[-1]["If-None-Match"] == '"v3"'
    assert out == f"The guide is already up to date with {upstream.url}/README.md.\n"
    assert home_files(home) == before
    upstream.files["/README.md"] = (V2.read_bytes(), '"v2"')
    report = json.loads(ok(cli("guide", "update", "--json", "--force")))
    assert [c["link"]["id"] for c in report["removed"]][:1] == ["annotated-transformer"]
    assert json.loads((home / "guide-meta.json").read_text())["etag"] == '"v2"'


def test_the_default_source_is_the_guides_upstream_readme(monkeypatch: pytest.MonkeyPatch) -> None:
    assert update.default_source() == (
        "https://raw.githubusercontent.com/Exorust/LLM-Deep-Dive/main/README.md"
    )
    monkeypatch.setenv("LLMDIVE_GUIDE_URL", "http://127.0.0.1:9/g.md")
    assert update.default_source() == "http://127.0.0.1:9/g.md"


@pytest.mark.parametrize(
    "source", ["ftp://example.com/README.md", "file:///etc/passwd", "javascript://x"]
)
def test_only_http_and_https_urls_are_fetched(cli: Invoke, home: Path, source: str) -> None:
    result = cli("guide", "update", "--from", source)
    assert result.exit_code == 1
    assert "only http:// and https:// URLs (or a local file) are read" in result.stderr
    assert home_files(home) == {}


def test_a_redirect_away_from_http_is_refused(upstream: Upstream) -> None:
    with pytest.raises(
        LlmdiveError, match="redirected to ftp://127.0.0.1:9/README.md: not an http"
    ):
        update.read_readme(f"{upstream.url}/to-file")


def test_a_server_sending_a_byte_at_a_time_is_cut_off_at_the_deadline(
    upstream: Upstream,
) -> None:
    with pytest.raises(LlmdiveError, match=f"cannot fetch {upstream.url}/slow: timed out"):
        update.read_readme(f"{upstream.url}/slow", timeout=1.0)


def test_an_answer_over_the_size_limit_is_refused(upstream: Upstream) -> None:
    upstream.files["/big.md"] = (b"#" * (fetch.MAX_BYTES + 1), '"big"')
    for path in ("/big.md", "/huge"):
        with pytest.raises(LlmdiveError, match=f"{upstream.url}{path}: larger than 5 MiB"):
            update.read_readme(f"{upstream.url}{path}")


def test_credentials_and_tokens_never_stored_or_shown(
    cli: Invoke, home: Path, upstream: Upstream
) -> None:
    upstream.files["/README.md"] = (V3.read_bytes(), '"v3"')
    port = upstream.url.rsplit(":", 1)[1]
    secret_url = (
        f"http://reader:hunter2@127.0.0.1:{port}/README.md?token=ghp_abc123def456ghi789&x=1"
    )
    result = cli("guide", "update", "--from", secret_url)
    assert result.exit_code == 0, result.output
    assert upstream.requests[-1]["Authorization"] == "Basic cmVhZGVyOmh1bnRlcjI="
    shown = f"http://127.0.0.1:{port}/README.md?token=***&x=1"
    assert f"Updated the guide from {shown}" in result.stdout
    assert json.loads(ok(cli("guide", "status", "--json")))["source"] == shown
    stored = b"".join(home_files(home).values())
    assert b"hunter2" not in stored and b"ghp_abc123" not in stored
    failed = cli("guide", "update", "--from", secret_url.replace("README", "missing"))
    assert "hunter2" not in failed.stderr and "ghp_abc123" not in failed.stderr
    assert redact_url("https://h/x?sig=short&page=2&id=AbCdEf0123456789AbCdEf") == (
        "https://h/x?sig=***&page=2&id=***"
    )


# ---------------------------------------------------------------- one commit, ids under the lock


def test_an_update_failing_at_any_write_leaves_the_old_or_the_new_guide_whole(
    cli: Invoke, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli("guide", "update", "--from", str(V2)))
    names = ("guide.toml", "guide-meta.json")
    old = {name: (home / name).read_bytes() for name in names}

    def restore() -> None:
        ok(cli("mark-read", "lora"))  # any command that takes the lock finishes a commit
        assert not (home / JOURNAL).exists()
        for name in names:
            (home / name).write_bytes(old[name])

    ok(cli("guide", "update", "--from", str(V3)))
    new_toml = (home / "guide.toml").read_bytes()
    new_updates = json.loads((home / "guide-meta.json").read_bytes())["updates"]
    restore()
    seen_new = seen_old = False
    for n in range(1, 200):
        with monkeypatch.context() as m:
            steps = failing_at(m, n, lambda: OSError(28, "No space left on device"))
            result = cli("guide", "update", "--from", str(V3))
        if result.exit_code == 0 and len(steps) < n:
            break
        toml, meta = (storage.read_bytes(home / name) for name in names)
        if toml == old["guide.toml"]:
            assert meta == old["guide-meta.json"], f"step {n}"
            seen_old = True
        else:
            assert toml == new_toml, f"step {n}"
            updates = json.loads(meta)["updates"]
            assert [u["added"] for u in updates] == [u["added"] for u in new_updates]
            seen_new = True
        restore()
    else:
        pytest.fail("the update never finished")
    assert seen_old and seen_new


def test_an_add_during_an_update_never_gets_the_same_id(
    cli: Invoke, home: Path, catalogue: Catalogue
) -> None:
    from llmdive.home.lock import locked
    from llmdive.record import personal
    from llmdive.workspace import Workspace

    outcome: list[object] = []
    holding = threading.Event()
    release = threading.Event()

    def hold_and_add() -> None:
        with locked(home):
            holding.set()
            release.wait(10)
            personal.add(
                home,
                Workspace(home=home).catalogue,
                "https://example.com/at",
                "The Annotated Transformer",
                "model-architecture",
                Difficulty.EASY,
                set(),
                "2026-01-01T00:00:00Z",
            )

    adder = threading.Thread(target=hold_and_add)
    adder.start()
    assert holding.wait(10)

    def run_update() -> None:
        outcome.append(guidechange.update_guide(Workspace(home=home), str(V3), False, False))

    updater = threading.Thread(target=run_update)
    updater.start()
    updater.join(0.5)  # the update has read its README and waits for the lock
    release.set()
    adder.join(10)
    updater.join(30)
    assert outcome
    ids = [i.link.id for i in Workspace(home=home).catalogue.items]
    assert len(ids) == len(set(ids))
    assert "annotated-transformer-2" in ids


def test_a_personal_link_with_a_guide_links_id_is_reported_on_load(cli: Invoke, home: Path) -> None:
    ok(cli("add", "https://example.com/mine", "-t", "Mine", "-s", "lora"))
    path = home / "personal.json"
    doc = json.loads(path.read_text())
    doc["links"][0]["id"] = "lora-explained"
    path.write_text(json.dumps(doc))
    result = cli("list")
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {path}: your link 'lora-explained' has the id of a guide link "
        "(in FineTuning › LoRA); give yours another id in that file (llmdive has changed neither)\n"
    )


@pytest.mark.stress
def test_an_update_killed_at_any_write_rename_or_fsync_leaves_one_whole_guide(
    cli: Invoke, home: Path
) -> None:
    """SIGKILL a real `guide update` at each of its file steps in turn; a rerun recovers."""
    import os
    import signal

    from llmdive.cli import main

    ok(cli("guide", "update", "--from", str(V2)))
    names = ("guide.toml", "guide-meta.json")
    old = {name: (home / name).read_bytes() for name in names}
    ok(cli("guide", "update", "--from", str(V3)))
    new_toml = (home / "guide.toml").read_bytes()
    outcomes = set()
    for n in range(1, 200):
        for name in names:
            (home / name).write_bytes(old[name])
        pid = os.fork()
        if pid == 0:  # the child: llmdive itself, killed at its n-th file step
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                count = 0
                for step in ("write", "fsync", "replace", "unlink"):
                    real = getattr(os, step)

                    def killing(*args: object, _real: Any = real, _n: int = n) -> object:
                        nonlocal count
                        count += 1
                        if count == _n:
                            os.kill(os.getpid(), signal.SIGKILL)
                        return _real(*args)

                    setattr(os, step, killing)
                sys.argv = ["llmdive", "guide", "update", "--from", str(V3)]
                main()
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        if not os.WIFSIGNALED(status):
            break  # the update ran to its end: every step has been killed once
        toml, meta = (storage.read_bytes(home / name) for name in names)
        if toml == old["guide.toml"]:
            assert meta == old["guide-meta.json"], f"killed at step {n}"
            outcomes.add("old")
        else:
            assert toml == new_toml, f"killed at step {n}"
            assert json.loads(meta)["source"] == str(V3), f"killed at step {n}"
            outcomes.add("new")
        ok(cli("mark-read", "lora"))  # the next command finishes or drops the commit
        assert (home / "guide.toml").read_bytes() == toml
        assert not (home / JOURNAL).exists()
    else:
        pytest.fail("the update never finished")
    assert outcomes == {"old", "new"}


def test_an_update_carries_a_links_old_ids_with_its_id() -> None:
    new, _ = reconcile_with(V2)
    by_id = {i.link.id: i.link for i in new.items}
    assert by_id["merging-tokens"].aliases == ("merging-tokens-accelerate-llm-inference",)
    assert by_id["llm-inference-series-2"].aliases == ("llm-inference-series-2-two-phase",)
    assert max(len(i) for i in by_id) <= 24


def test_guide_update_keeps_old_ids_answering_and_old_progress_counting(
    cli: Invoke, home: Path
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    old = {
        "status": "read",
        "changed": "2026-01-01T00:00:00Z",
        "events": [{"at": "2026-01-01T00:00:00Z", "status": "read"}],
    }
    (home / "progress.json").write_text(
        json.dumps({"version": 1, "links": {"llm-inference-series-2-two-phase": old}})
    )
    ok(cli("guide", "update", "--from", str(V2)))
    assert (
        'aliases = [\n    "llm-inference-series-2-two-phase",\n]'
        in (home / "guide.toml").read_text()
    )
    shown = json.loads(ok(cli("show", "llm-inference-series-2-two-phase", "--json")))
    assert (shown["id"], shown["status"]) == ("llm-inference-series-2", "read")
    assert json.loads(ok(cli("progress", "--json")))["orphans"] == []


def test_guide_status_shows_the_update_time_local_with_its_zone(
    cli: Invoke, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli("guide", "update", "--from", str(V2)))
    meta_path = home / "guide-meta.json"
    meta = json.loads(meta_path.read_text())
    meta["updated"] = "2026-01-05T10:00:00Z"
    meta_path.write_text(json.dumps(meta))
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        out = ok(cli("guide", "status"))
        line = next(x for x in out.splitlines() if x.startswith("updated"))
        assert line.startswith("updated    2026-01-05 15:30 IST (")
        assert line.endswith(" ago; 1 update so far)")
        assert "T10:00" not in out
        assert json.loads(ok(cli("guide", "status", "--json")))["updated"] == meta["updated"]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# ---------------------------------------------------------------- a broken guide in the home

BROKEN_TOML = b'{"x": [[[['
HINT = "(`llmdive guide reset` goes back to the bundled guide; your progress is kept)"


def test_a_broken_updated_guide_says_how_to_go_back(cli: Invoke, home: Path) -> None:
    ok(cli("guide", "update", "--from", str(V3)))
    (home / "guide.toml").write_bytes(BROKEN_TOML)
    for args in (["next"], ["show", "lora"], ["guide", "status"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"llmdive: error: {home / 'guide.toml'}: not valid TOML: ")
        assert line.endswith(HINT), args


@pytest.mark.parametrize("broken", ["guide.toml", "guide-meta.json", "both"])
def test_reset_works_with_a_broken_guide_or_record_and_keeps_progress(
    cli: Invoke, home: Path, broken: str
) -> None:
    ok(cli("mark-read", "lora"))
    ok(cli("guide", "update", "--from", str(V3)))
    if broken in ("guide.toml", "both"):
        (home / "guide.toml").write_bytes(BROKEN_TOML)
    if broken in ("guide-meta.json", "both"):
        (home / "guide-meta.json").write_bytes(b"{")
    progress = (home / "progress.json").read_bytes()
    before = home_files(home)
    dry = cli("guide", "reset", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert home_files(home) == before
    result = cli("guide", "reset")
    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    if broken in ("guide.toml", "both"):
        assert "What changes is not known: the guide in use cannot be read." in result.stdout
        assert f"llmdive: warning: {home / 'guide.toml'}: not valid TOML: " in warnings[0]
        assert warnings[0].endswith(": removed unread")
    else:
        assert "What changes is not known" not in result.stdout
    if broken in ("guide-meta.json", "both"):
        assert warnings[-1].startswith(f"llmdive: warning: {home / 'guide-meta.json'}: not valid")
        assert warnings[-1].endswith(": replaced unread by a fresh record of updates")
    assert not (home / "guide.toml").exists()
    meta = json.loads((home / "guide-meta.json").read_bytes())
    assert meta["source"] == "bundled" and meta["updates"][-1]["source"] == "bundled"
    assert (home / "progress.json").read_bytes() == progress
    status = json.loads(ok(cli("guide", "status", "--json")))
    assert status["kind"] == "bundled"
    assert [d["id"] for d in json.loads(ok(cli("list", "--status", "read", "--json")))] == [
        "lora-explained"
    ]


def test_a_reset_from_a_broken_guide_failing_at_any_write_is_all_or_nothing(
    cli: Invoke, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli("guide", "update", "--from", str(V3)))
    (home / "guide.toml").write_bytes(BROKEN_TOML)
    (home / "guide-meta.json").write_bytes(b"{")
    for n in range(1, 200):
        with monkeypatch.context() as m:
            steps = failing_at(m, n, lambda: OSError(28, "No space left on device"))
            result = cli("guide", "reset")
        if result.exit_code == 0 and len(steps) < n:
            break
        toml, meta = (
            storage.read_bytes(home / name) if storage.exists(home / name) else None
            for name in ("guide.toml", "guide-meta.json")
        )
        assert (toml, meta) in ((BROKEN_TOML, b"{"), (None, meta)), f"step {n}"
        if toml is None:
            assert meta is not None and json.loads(meta)["source"] == "bundled"
        with locked(home):  # taking the lock finishes a commit under way
            pass
        assert not (home / JOURNAL).exists()
        (home / "guide.toml").write_bytes(BROKEN_TOML)
        (home / "guide-meta.json").write_bytes(b"{")
    else:
        pytest.fail("the reset never finished")


def test_an_update_with_escapes_in_a_links_text_and_url_keeps_its_id_and_mark(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    ok(cli("mark-read", "lora"))
    link = json.loads(ok(cli("show", "lora", "--json")))
    lines = ok(cli("guide", "export")).split("\n")
    n = next(i for i, line in enumerate(lines) if f"]({link['url']})" in line)
    scheme, rest = link["url"].split("://", 1)
    lines[n] = (
        lines[n]
        .replace("- [", "- [\x1b[31m", 1)
        .replace(f"]({link['url']})", f"\x1b[0m]({scheme}://\x1b]8;;x\x07{rest})")
    )
    readme = tmp_path / "README.md"
    readme.write_text("\n".join(lines), encoding="utf-8")
    result = cli("guide", "update", "--from", str(readme))
    assert result.exit_code == 0, result.output
    assert f"{readme}:{n + 1}: control characters removed from " in result.stderr
    assert "No link changed." in result.stdout
    after = json.loads(ok(cli("show", link["id"], "--json")))
    assert (after["id"], after["title"], after["url"], after["status"]) == (
        link["id"],
        link["title"],
        link["url"],
        "read",
    )


# ---------------------------------------------------------------- pairing at scale


def section_readme(links: list[tuple[str, str]]) -> str:
    return "### One big section\n#### Everything\n" + "".join(
        f"- [{title}]({url})\n" for title, url in links
    )


def rehosted_section(n: int, seed: int = 15) -> tuple[Catalogue, Catalogue]:
    """A section of `n` links with distinct titles, and the same one with every link
    re-hosted: one in ten retitled with a Medium suffix, one in ten a word more or less."""
    import random

    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(4 * n)]
    titles = [" ".join(rng.sample(vocab, rng.randint(3, 8))).capitalize() for _ in range(n)]
    new = []
    for i, t in enumerate(titles):
        if i % 10 == 0:
            t += " | by Someone | Medium"
        elif i % 10 == 5:
            t = t.rpartition(" ")[0] if i % 20 == 5 else f"{t} {rng.choice(vocab)}"
        new.append((t, f"https://new.example/p/{i}"))
    old = [(t, f"https://old.example/{i}") for i, t in enumerate(titles)]
    return (
        Catalogue(parse_readme(section_readme(old)).guide),
        Catalogue(parse_readme(section_readme(new)).guide),
    )


@contextlib.contextmanager
def counted_comparisons(monkeypatch: pytest.MonkeyPatch, limit: int) -> Iterator[list[int]]:
    """Counts title comparisons (difflib's second sequence set once per pair scored), and
    fails as soon as there are more than `limit`: scoring every pair would take minutes."""
    import difflib

    count = [0]
    real = difflib.SequenceMatcher.set_seq1

    def counting(self: difflib.SequenceMatcher[str], a: str) -> None:
        count[0] += 1
        assert count[0] <= limit, f"more than {limit} title comparisons"
        real(self, a)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", counting)
    yield count


def test_a_section_of_3000_rehosted_links_keeps_every_id_in_linear_comparisons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old, new = rehosted_section(3_000)
    ids = [i.link.id for i in old.items]
    with counted_comparisons(monkeypatch, 10 * 3_000) as count:
        report = update.carry_ids(old, new, {}, set(), "new")
    assert [i.link.id for i in new.items] == ids
    assert not report.added and not report.removed and not report.ambiguous
    assert len(report.url_changed) == 3_000
    assert len(report.retitled) == 600
    assert count[0] > 3_000  # each link was compared (the counter counts)


def test_a_large_section_is_paired_as_scoring_every_pair_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Candidates from the index of title words change no decision: the same ids, pairs and
    ambiguities as scoring all 90,000 pairs, on re-hosted links with near-duplicates."""

    def run(exact_pairs: int) -> tuple[list[str], dict[str, list[Any]]]:
        old, new = rehosted_section(300, seed=7)
        twins = [  # near-duplicate titles: rivals, reported as ambiguous
            ("LLM Inference Optimizations: Continuous Batching", "https://a.example/1"),
            ("LLM Inference Optimizations: Chunked Batching", "https://a.example/2"),
        ]
        old = Catalogue(
            parse_readme(
                section_readme([(i.link.title, i.link.url) for i in old.items] + twins)
            ).guide
        )
        new = Catalogue(
            parse_readme(
                section_readme(
                    [(i.link.title, i.link.url) for i in new.items]
                    + [
                        (
                            "LLM Inference Optimizations: Continuous and Chunked Batching",
                            "https://b.example/3",
                        )
                    ]
                )
            ).guide
        )
        monkeypatch.setattr(update, "EXACT_PAIRS", exact_pairs)
        report = update.carry_ids(old, new, {}, set(), "new")
        kinds = {k: [vars(c) for c in getattr(report, k)] for k in report.KINDS}
        return [i.link.id for i in new.items], {**kinds, "ambiguous": report.ambiguous}

    every_pair = run(10**9)
    assert every_pair[1]["ambiguous"] == [
        {
            "new": "LLM Inference Optimizations: Continuous and Chunked Batching",
            "candidates": ["llm-inference", "llm-inference-chunked"],
            "section": ["One big section"],
        }
    ]
    assert run(0) == every_pair


# ---------------------------------------------------------------- network errors in words


@contextlib.contextmanager
def answering(reply: bytes) -> Iterator[str]:
    """A server on 127.0.0.1 that reads a request, sends `reply` (maybe nothing), closes."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.05)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError):
                    conn.recv(65536)
                    conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/README.md"
    finally:
        done.set()
        thread.join(5)
        sock.close()


def test_an_unresolvable_host_is_said_in_words(cli: Invoke, home: Path) -> None:
    result = cli("guide", "update", "--from", "https://guide.invalid/README.md")
    assert result.exit_code == 1
    assert result.stderr == (
        "llmdive: error: cannot reach guide.invalid (name not resolved): "
        "check your connection, or use --from FILE\n"
    )
    assert not (home / "guide.toml").exists()


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (b"", "the server closed the connection"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 9000\r\n\r\n### Half",
            "the server closed the connection before the end of the README",
        ),
        (b"SSH-2.0-OpenSSH_9.6\r\n", "the server's answer is not HTTP"),
    ],
    ids=["closed", "cut-short", "not-http"],
)
def test_a_server_that_closes_or_speaks_no_http_is_one_line_in_words(
    cli: Invoke, home: Path, reply: bytes, why: str
) -> None:
    with answering(reply) as url:
        result = cli("guide", "update", "--from", url)
    host = url.split("/")[2]
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"llmdive: error: cannot reach {host} ({why}): check your connection, or use --from FILE\n"
    )
    assert not (home / "guide.toml").exists()


def test_guide_update_takes_a_timeout(cli: Invoke, home: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)  # the kernel accepts; nobody ever answers
        url = f"http://127.0.0.1:{s.getsockname()[1]}/README.md"
        result = cli("guide", "update", "--from", url, "--timeout", "0.3")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"llmdive: error: cannot fetch {url}: timed out (no whole answer within 0.3s; "
        "--timeout SECONDS waits longer)\n"
    )
    assert cli("guide", "update", "--timeout", "0").exit_code == 2


def test_a_refused_update_says_refused_not_dry_run(cli: Invoke, tmp_path: Path) -> None:
    small = tmp_path / "small.md"
    small.write_text("### FineTuning\n\n- [LoRA](https://www.youtube.com/watch?v=PXWYUTMt-AU)\n")
    refused = cli("guide", "update", "--from", str(small))
    assert refused.exit_code == 1
    assert refused.stdout.splitlines()[0] == f"Would update the guide from {small}"
    assert refused.stdout.splitlines()[-1] == "Refused: nothing was changed."
    assert "Dry run" not in refused.output
    dry = cli("guide", "update", "--from", str(small), "--dry-run")
    assert dry.stdout.splitlines()[-1] == "Dry run: nothing was changed."


def test_guide_update_help_names_what_from_takes(cli: Invoke) -> None:
    shown = ok(cli("guide", "update", "--help"))
    assert "--from FILE|URL" in shown
    assert "--timeout SECONDS" in shown


def test_titles_sharing_many_words_with_many_others_stay_linear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hostile README: 120 long titles, each sharing a few words with every other one,
    its words reordered in the new one. Each new link is still compared with a bounded
    number of old ones, not with all."""
    import random

    rng = random.Random(3)
    vocab = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=5)) for _ in range(120)]
    titles = [" ".join(rng.sample(vocab, 20)) for _ in range(120)]
    old = Catalogue(
        parse_readme(
            section_readme([(t, f"https://old.example/{i}") for i, t in enumerate(titles)])
        ).guide
    )
    new = Catalogue(
        parse_readme(
            section_readme(
                [
                    (" ".join(sorted(t.split())), f"https://new.example/{i}")
                    for i, t in enumerate(titles)
                ]
            )
        ).guide
    )
    with counted_comparisons(monkeypatch, 2 * 17 * 120):  # MAX_CANDIDATES + 1 per link
        report = update.carry_ids(old, new, {}, set(), "new")
    assert len(report.added) + len(report.retitled) + len(report.ambiguous) >= 120


# ---------------------------------------------------------------- related links

RELATED_GUIDE = FIXTURES / "related-guide.toml"


def fresh(catalogue: Catalogue) -> Catalogue:
    """The same guide as a README import gives it: new objects, ids not yet carried."""
    again = load_catalogue(catalogue.path or RELATED_GUIDE)
    for n, item in enumerate(again.items):
        item.link.id = f"new-{n}"
    return Catalogue(again.guide)


def test_a_link_whose_related_links_changed_is_changed_not_new() -> None:
    old = load_catalogue(RELATED_GUIDE)
    new = fresh(old)
    attention = new.items[0].link
    attention.related = (
        *attention.related[:1],
        Related("pdf", "https://arxiv.org/pdf/1706.03762v7"),
    )
    illustrated = new.items[1].link
    illustrated.related = (Related("video", "https://www.youtube.com/watch?v=4Bdc55j80l8"),)
    states = {"attention-paper": Status.READ}
    report = update.carry_ids(old, new, states, set(states), "README.md")
    assert [i.link.id for i in new.items] == [i.link.id for i in old.items]  # ids carried
    assert (report.added, report.removed, report.retitled, report.url_changed) == ([], [], [], [])
    assert report.changed
    # What each lost, and what it gained.
    assert [(c.id, c.status, c.before, c.after) for c in report.related_changed] == [
        (
            "attention-paper",
            Status.READ,
            "[pdf] <https://arxiv.org/pdf/1706.03762>, "
            "Yannic Kilcher's walkthrough <https://www.youtube.com/watch?v=iDulhoQ2pro>",
            "pdf <https://arxiv.org/pdf/1706.03762v7>",
        ),
        (
            "illustrated-transformer",
            Status.UNREAD,
            "",
            "video <https://www.youtube.com/watch?v=4Bdc55j80l8>",
        ),
    ]


def test_related_links_only_reordered_are_a_change_shown_whole() -> None:
    old = load_catalogue(RELATED_GUIDE)
    new = fresh(old)
    flash = new.items[2].link
    flash.related = flash.related[::-1]
    report = update.carry_ids(old, new, {}, set(), "README.md")
    (c,) = report.related_changed
    assert (c.before, c.after) == (
        "code <https://github.com/Dao-AILab/flash-attention>, "
        "slides <https://tridao.me/slides/flashattention.pdf>",
        "slides <https://tridao.me/slides/flashattention.pdf>, "
        "code <https://github.com/Dao-AILab/flash-attention>",
    )


def test_unchanged_related_links_are_no_change() -> None:
    old = load_catalogue(RELATED_GUIDE)
    report = update.carry_ids(old, fresh(old), {}, set(), "README.md")
    assert not report.changed and report.related_changed == []


def test_reset_from_a_guide_with_related_links_reports_them_and_keeps_marks(
    cli: Invoke, home: Path
) -> None:
    from llmdive.guide.catalogue import dump_toml

    guide = load_catalogue(bundled_guide()).guide
    lora = load_catalogue(bundled_guide()).by_id  # fresh objects for the edited copy
    edited = Catalogue(guide).by_id["lora-explained"].link
    edited.related = (Related("paper", "https://arxiv.org/abs/2106.09685"),)
    (home / "guide.toml").write_text(dump_toml(guide), encoding="utf-8")
    ok(cli("mark-read", "lora"))
    assert json.loads(ok(cli("show", "lora", "--json")))["related"] == [
        {"title": "paper", "url": "https://arxiv.org/abs/2106.09685"}
    ]
    report = json.loads(ok(cli("guide", "reset", "--json")))
    assert [e["link"]["id"] for e in report["related_changed"]] == ["lora-explained"]
    (entry,) = report["related_changed"]
    assert (entry["before"], entry["after"]) == ("paper <https://arxiv.org/abs/2106.09685>", "")
    assert report["added"] == report["removed"] == report["returned"] == []
    shown = json.loads(ok(cli("show", "lora", "--json")))
    assert (shown["id"], shown["status"], shown["related"]) == ("lora-explained", "read", [])
    assert set(lora) == {i["id"] for i in json.loads(ok(cli("list", "--json")))}


def test_the_update_report_names_related_changes(cli: Invoke, home: Path) -> None:
    from llmdive.guide.catalogue import dump_toml

    guide = load_catalogue(bundled_guide()).guide
    Catalogue(guide).by_id["lora-explained"].link.related = (
        Related("paper", "https://arxiv.org/abs/2106.09685"),
    )
    (home / "guide.toml").write_text(dump_toml(guide), encoding="utf-8")
    out = ok(cli("guide", "reset", "--dry-run"))
    assert (
        "  ± related   lora-explained  - paper <https://arxiv.org/abs/2106.09685>"
        in out.splitlines()
    )
    assert "1 with related links changed." in out


def test_the_report_shows_related_links_lost_and_gained_within_the_width() -> None:
    import io

    from llmdive.output.terminal import Writer
    from llmdive.output.views.guide import render_report

    old = load_catalogue(RELATED_GUIDE)
    new = fresh(old)
    attention = new.items[0].link
    attention.related = (*attention.related[:1], Related("blog", "https://blog.example/t"))
    report = update.carry_ids(old, new, {}, set(), "README.md")
    out = io.StringIO()
    render_report(Writer(out, styled=False, width=80), report, dry_run=True)
    text = out.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines()), text
    flat = " ".join(text.split())
    assert (
        "± related attention-paper - [pdf] <https://arxiv.org/pdf/1706.03762>, Yannic Kilcher's "
        "walkthrough <https://www.youtube.com/watch?v=iDulhoQ2pro> + blog <https://blog.example/t>"
    ) in flat
