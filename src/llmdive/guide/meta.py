"""guide-meta.json: where the active catalogue came from, and what each update changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmdive.errors import LlmdiveError
from llmdive.home.infile import parse_json
from llmdive.home.paths import META_FILE
from llmdive.home.statefile import encode_state, load_state

__all__ = ["META_FILE", "META_UNTOUCHED", "Meta", "read_meta"]

META_UNTOUCHED = "fix or remove it; llmdive has left it as it is"


@dataclass
class Meta:
    """Where the active catalogue came from, and what each update added and removed.

    `url`, `etag` and `last_modified` describe the last download, so that the next
    update of the same URL can ask the server whether anything changed.
    """

    source: str = "bundled"
    updated: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def added_ids(self) -> dict[str, str]:
        """Every id an update added, with when (the latest update wins)."""
        out: dict[str, str] = {}
        for update in self.updates:
            for added in update.get("added", []):
                out[added] = update["at"]
        return out

    def known_ids(self) -> set[str]:
        """Every id an update ever added or removed: never given to another link."""
        return {i for u in self.updates for kind in ("added", "removed") for i in u.get(kind, [])}

    def to_bytes(self) -> bytes:
        """guide-meta.json's bytes (statefile.encode_state, as every state file)."""
        doc: dict[str, Any] = {
            "version": 1,
            "source": self.source,
            "updated": self.updated,
            "updates": self.updates,
        }
        for key in ("url", "etag", "last_modified"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        return encode_state(doc)


def read_meta(home: Path) -> Meta:
    """guide-meta.json of `home`: a missing one is a fresh record (the bundled guide)."""
    return load_state(home / META_FILE, _parse_meta, Meta)


def read_meta_file(path: Path) -> Meta:
    """A guide record at `path` (a followed guide's guides.NAME.json); missing: a fresh one."""
    return load_state(path, _parse_meta, Meta)


def _parse_meta(content: bytes, path: Path) -> Meta:
    # start-up: pydantic and the input shapes load only when the record is read
    from pydantic import ValidationError

    from llmdive.model.inputs import MetaSchema, first_problem

    untouched = META_UNTOUCHED
    raw = parse_json(content, path, untouched)
    try:
        data = MetaSchema.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        raise LlmdiveError(
            f"{path}: not an llmdive guide record: {first_problem(raw, exc)}: {untouched}"
        ) from None
    return Meta(
        data["source"],
        data["updated"],
        data["updates"],
        data.get("url"),
        data.get("etag"),
        data.get("last_modified"),
    )
