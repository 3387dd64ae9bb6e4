from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmdive import update
from llmdive.catalogue import Catalogue, load_catalogue
from llmdive.errors import LlmdiveError
from llmdive.markdown import parse_readme
from llmdive.paths import bundled_guide
from llmdive.vocab import Status

from .conftest import FIXTURES, Invoke

V2 = FIXTURES / "guide-v2-renamed.md"
V3 = FIXTURES / "guide-v3-additions.md"


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def reconcile_with(readme: Path, states: dict[str, Status] | None = None):
    old = load_catalogue(bundled_guide())
    new = Catalogue(parse_readme(readme.read_text(encoding="utf-8")).guide)
    report = update.reconcile(old, new, states or {}, set(states or {}), str(readme))
    return new, report


def test_ids_survive_renames_rehosting_moves_and_badges() -> None:
    new, report = reconcile_with(V2, {"tweet-learn-ml-rt-karpathy": Status.READ})
    by_id = {i.link.id: i for i in new.items}
    # Re-hosted on Medium with the "| by ... | Medium" suffix dropped: same id.
    rehosted = by_id["llm-inference-series-2-two-phase"].link
    assert rehosted.url.startswith("https://medium.com/@plienhar/")
    assert rehosted.title == "LLM Inference Series: 2. The two-phase process behind LLMs' responses"
    assert by_id["lora-explained"].link.title == "Umar Jamil: LoRA (Low-Rank Adaptation) explained"
    assert by_id["illustrated-gpt2"].link.difficulty.value == "medium"
    assert [t.title for t in by_id["sparse-autoencoders-explained"].path] == [
        "Model Architecture",
        "Attention",
    ]
    assert {c.id for c in report.retitled} == {"lora-explained", "llm-inference-series-2-two-phase"}
    assert [(c.id, c.before, c.after) for c in report.rebadged] == [
        ("illustrated-gpt2", "easy", "medium")
    ]
    assert [c.id for c in report.moved] == ["sparse-autoencoders-explained"]
    assert {c.id for c in report.url_changed} == {
        "illustrated-transformer",
        "llm-inference-series-2-two-phase",
    }
    removed = {c.id: c.status for c in report.removed}
    assert removed == {
        "tweet-learn-ml-rt-karpathy": Status.READ,
        "llm-inference-optimizations-continuous": Status.UNREAD,
        "llm-inference-optimizations-chunked": Status.UNREAD,
    }


def test_an_ambiguous_pair_is_reported_not_guessed() -> None:
    new, report = reconcile_with(V2)
    assert report.ambiguous == [
        {
            "new": "LLM Inference Optimizations: Continuous and Chunked Batching",
            "candidates": [
                "llm-inference-optimizations-chunked",
                "llm-inference-optimizations-continuous",
            ],
            "section": ["Deployment"],
        }
    ]
    assert [c.id for c in report.added] == ["llm-inference-optimizations-continuous-chunked"]


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
    report = update.reconcile(old, new, {}, {"annotated-transformer"}, "v3")
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
    assert [(c["id"], c["status"]) for c in removed] == [("tweet-learn-ml-rt-karpathy", "read")]
    out = ok(cli("guide", "update", "--from", str(V2)))
    assert "Updated the guide from" in out
    assert "(you: read)" in out
    assert (home / "progress.json").read_bytes() == before
    read = json.loads(ok(cli("list", "--status", "read", "--json")))
    assert sorted(d["id"] for d in read) == [
        "illustrated-gpt2",
        "llm-inference-series-2-two-phase",
        "lora-explained",
        "sparse-autoencoders-explained",
    ]
    orphans = json.loads(ok(cli("progress", "--json")))["orphans"]
    assert [o["id"] for o in orphans] == ["tweet-learn-ml-rt-karpathy"]
    status = json.loads(ok(cli("guide", "status", "--json")))
    assert status["kind"] == "updated" and status["source"] == str(V2) and status["links"] == 27


def test_a_link_that_comes_back_gets_its_id_and_progress_back(cli: Invoke) -> None:
    ok(cli("mark-read", "tweet"))
    ok(cli("guide", "update", "--from", str(V2)))
    report = json.loads(ok(cli("guide", "update", "--from", str(V3), "--json")))
    # Only links with progress are remembered once they leave; this one had a read mark.
    returned = [c["link"] for c in report["returned"]]
    assert [(c["id"], c["status"]) for c in returned] == [("tweet-learn-ml-rt-karpathy", "read")]
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
    assert nxt == [{"section": "Datasets", "link": None}]


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
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
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


def test_a_refused_connection_is_an_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(LlmdiveError, match=f"cannot fetch http://127.0.0.1:{port}/g.md: "):
        update.read_readme(f"http://127.0.0.1:{port}/g.md")


def test_a_silent_server_times_out() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        url = f"http://127.0.0.1:{s.getsockname()[1]}/g.md"
        with pytest.raises(LlmdiveError, match="timed out"):
            update.read_readme(url, timeout=0.5)
