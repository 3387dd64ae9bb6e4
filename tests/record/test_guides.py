"""record/guides.py with the Workspace: following real lists, one record across them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide.followed import load_followed
from llmdive.home.paths import GUIDES_FILE, PROGRESS_FILE, followed_meta, followed_toml
from llmdive.model.vocab import Status
from llmdive.record import guides, progress
from llmdive.workspace import Workspace
from tests.helpers import FIXTURES

COURSE = FIXTURES / "lists" / "mlabonne__llm-course.md"
AWESOME = FIXTURES / "lists" / "Hannibal046__Awesome-LLM.md"
# In both lists (found by URL): Karpathy's "Let's build GPT" video.
SHARED = "https://www.youtube.com/watch?v=kCc8FmEb1nY"
# In the LLM Deep Dive and in llm-course.
SAE = "https://adamkarvonen.github.io/machine_learning/2024/06/11/sae-intuitions.html"


@pytest.fixture
def following(home: Path) -> Path:
    guides.add(home, "llm-course", str(COURSE))
    guides.add(home, "awesome-llm", str(AWESOME))
    return home


def _ids_of(ws: Workspace, url: str) -> dict[str, str]:
    """Every link with `url`: id -> its guide."""
    return {i.link.id: i.guide for i in ws.catalogue.items if i.link.url == url}


def _mark(home: Path, query: str, status: Status = Status.READ) -> None:
    ws = Workspace(home=home)
    items = ws.catalogue.resolve_ids([query])
    progress.update_progress(home, lambda p: progress.set_status(p, ws.catalogue, items, status))


def test_add_writes_the_guide_and_its_record_in_the_home(following: Path) -> None:
    names = [g.name for g in load_followed(following)]
    assert names == ["llm-course", "awesome-llm"]
    assert followed_toml(following, "llm-course").is_file()
    meta = json.loads(followed_meta(following, "llm-course").read_text())
    assert meta["source"] == str(COURSE.resolve())
    doc = json.loads((following / GUIDES_FILE).read_text())
    assert set(doc["guides"][0]) == {"name", "source", "added"}  # never its content
    ws = Workspace(home=following)
    assert ws.catalogue.guide_names == ["default", "llm-course", "awesome-llm"]
    assert len(ws.catalogue.items) > len(ws.base_catalogue.items) + 400


def test_a_link_two_guides_share_read_in_one_is_read_in_both(following: Path) -> None:
    ws = Workspace(home=following)
    shared = _ids_of(ws, SHARED)
    assert sorted(shared.values()) == ["awesome-llm", "llm-course"]
    _mark(following, SHARED)  # marked by its URL
    ws = Workspace(home=following)
    for link_id in shared:
        assert ws.states[link_id] is Status.READ
        assert progress.reading_state(ws.catalogue, ws.progress, link_id) is Status.READ
    # One entry for the URL, never two: marking the other id writes to that entry.
    assert len(ws.progress) == 1
    other = next(i for i in shared if i not in ws.progress)
    _mark(following, other, Status.READING)
    ws = Workspace(home=following)
    assert len(ws.progress) == 1
    assert {ws.states[i] for i in shared} == {Status.READING}


def test_the_default_guide_and_a_followed_one_share_a_read_too(following: Path) -> None:
    _mark(following, "sparse-autoencoders")
    ws = Workspace(home=following)
    both = _ids_of(ws, SAE)
    assert sorted(both.values()) == ["default", "llm-course"]
    assert {ws.states[i] for i in both} == {Status.READ}


def test_a_removed_guide_leaves_the_views_its_record_stays_and_comes_back(
    following: Path,
) -> None:
    ws = Workspace(home=following)
    only_awesome = next(
        i
        for i in ws.catalogue.items
        if i.guide == "awesome-llm"
        and i.link.id not in {j for g in ws.catalogue.shared_urls for j in g}
    )
    _mark(following, only_awesome.link.id)
    before = (following / PROGRESS_FILE).read_bytes()
    guides.remove(following, "awesome-llm")
    ws = Workspace(home=following)
    assert "awesome-llm" not in ws.catalogue.guide_names
    assert only_awesome.link.id not in ws.catalogue.by_id
    assert not followed_toml(following, "awesome-llm").exists()
    assert (following / PROGRESS_FILE).read_bytes() == before
    guides.add(following, "awesome-llm", str(AWESOME))
    ws = Workspace(home=following)
    assert ws.states[only_awesome.link.id] is Status.READ


def test_read_under_one_name_is_read_after_a_rename_by_its_url(following: Path) -> None:
    ws = Workspace(home=following)
    qualified = next(i for i in ws.catalogue.by_id if i.startswith("awesome-llm/"))
    url = ws.catalogue.by_id[qualified].link.url
    _mark(following, qualified)
    guides.rename(following, "awesome-llm", "papers")
    ws = Workspace(home=following)
    assert [g.name for g in ws.followed] == ["llm-course", "papers"]
    renamed = next(
        i.link.id for i in ws.catalogue.items if i.guide == "papers" and i.link.url == url
    )
    assert renamed == "papers/" + qualified.split("/", 1)[1]
    assert ws.states[renamed] is Status.READ
    # A mark now goes to the entry the URL already has.
    assert progress.record_key(ws.catalogue, ws.progress, renamed) == qualified
    with pytest.raises(LlmdiveError, match="already named 'llm-course'"):
        guides.rename(following, "papers", "llm-course")
    with pytest.raises(LlmdiveError, match="reserved for the default guide"):
        guides.rename(following, "papers", "default")


def test_add_refuses_a_name_twice_and_what_is_no_reading_list(home: Path) -> None:
    guides.add(home, "llm-course", str(COURSE))
    with pytest.raises(LlmdiveError, match="already followed"):
        guides.add(home, "llm-course", str(AWESOME))
    empty = home.parent / "empty.md"
    empty.write_text("# Nothing here\n\nJust words.\n")
    with pytest.raises(LlmdiveError, match="no reading items found .* nothing was imported"):
        guides.add(home, "empty", str(empty))
    assert [g.name for g in load_followed(home)] == ["llm-course"]


def test_narrowing_by_name(following: Path) -> None:
    ws = Workspace(home=following, guides=["llm-course"])
    assert {i.guide for i in ws.catalogue.items} == {"llm-course"}
    ws = Workspace(home=following, guides=["default", "awesome-llm"])
    assert ws.catalogue.guide_names == ["default", "awesome-llm"]
    with pytest.raises(LlmdiveError, match="no followed guide is named 'nope'"):
        _ = Workspace(home=following, guides=["nope"]).catalogue


def test_following_nothing_is_exactly_the_default_guide(home: Path) -> None:
    ws = Workspace(home=home)
    assert ws.followed == []
    assert ws.catalogue is ws.base_catalogue
    assert ws.catalogue.origins == []
    assert {i.guide for i in ws.catalogue.items} == {"default"}


def test_a_record_written_by_the_last_release_reads_unchanged(following: Path) -> None:
    fixture = FIXTURES / "records" / "progress-written-by-0.1.0.json"
    shutil.copy(fixture, following / PROGRESS_FILE)
    ws = Workspace(home=following)
    assert ws.progress.to_dict() == json.loads(fixture.read_text())
    assert ws.states["lora-explained"] is Status.READING
    # sparse-autoencoders was read in the LLM Deep Dive: read in llm-course too.
    assert {ws.states[i] for i in _ids_of(ws, SAE)} == {Status.READ}
