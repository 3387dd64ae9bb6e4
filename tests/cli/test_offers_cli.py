"""`show` of a heading, and offers from the other followed guides in toc, next and show."""

from __future__ import annotations

import json

from tests.helpers import Invoke


def test_show_names_a_heading_by_slug_or_title(cli: Invoke) -> None:
    result = cli("show", "attention")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Model Architecture › Attention  [attention]",
        "  no links yet: contribute one",
    ]
    section = cli("show", "Model Architecture")
    assert section.exit_code == 0, section.output
    assert section.output.splitlines()[0] == "Model Architecture  [model-architecture]"
    assert "  0/7 read  llmdive list --section model-architecture" in section.output.splitlines()
    data = json.loads(cli("show", "quantization", "--json").output)
    assert data == {
        "slug": "quantization",
        "title": "Quantization",
        "section": ["Quantization"],
        "description": None,
        "tip": None,
        "links": 0,
        "read": 0,
        "offers": [],
    }


def test_a_link_id_comes_before_a_heading_and_unknown_names_still_fail(cli: Invoke) -> None:
    # "lora" is a link's id and a topic's slug: the link is shown, as before.
    assert cli("show", "lora").output.startswith("lora-explained")
    result = cli("show", "nosuch")
    assert result.exit_code == 1
    assert result.stderr.startswith("llmdive: error: no link with id 'nosuch'")
