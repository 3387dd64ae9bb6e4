"""Titles as a list writes them: a number that is part of a title stays, list numbering goes."""

from __future__ import annotations

import pytest

from llmdive.guide.importer import parse_readme

ROWS = """# L

## Papers

| Title | Link |
| --- | --- |
| 4-bit Quantization using GPTQ | [Article](https://e.com/a) |
| 3.5 Turbo fine-tuning | [pdf](https://e.com/b) |
| 3D Gaussian Splatting | [pdf](https://e.com/c) |
| 2024: The Year of Agents | [pdf](https://e.com/d) |
| 1. Attention Is All You Need | [pdf](https://e.com/e) |
| (2) Scaling Laws | [pdf](https://e.com/f) |
| 3 - Chinchilla | [pdf](https://e.com/g) |

## Posts

- 8-bit Optimizers: [pdf](https://e.com/h)
- 1. Sparse Mixtures: [pdf](https://e.com/i)
1. 4-bit LLMs [pdf](https://e.com/j)
"""


def test_a_number_that_is_part_of_a_title_stays_and_list_numbering_goes() -> None:
    guide = parse_readme(ROWS).guide
    assert [(k.id, k.title) for _, t in guide.walk() for k in t.links] == [
        ("4-bit-quantization-using", "4-bit Quantization using GPTQ"),
        ("3-5-turbo-fine-tuning", "3.5 Turbo fine-tuning"),
        ("3d-gaussian-splatting", "3D Gaussian Splatting"),
        ("2024-year-agents", "2024: The Year of Agents"),
        ("attention-all-need", "Attention Is All You Need"),
        ("scaling-laws", "Scaling Laws"),
        ("chinchilla", "Chinchilla"),
        ("8-bit-optimizers", "8-bit Optimizers"),
        ("sparse-mixtures", "Sparse Mixtures"),
        ("4-bit-llms", "4-bit LLMs"),
    ]


SECTIONS = (
    "\n\n## Notebooks\n\n- [A](https://a.example/a)\n\n## More\n\n- [B](https://b.example/b)\n"
)


@pytest.mark.parametrize(
    ("head", "title"),
    [
        # The H1, HTML or not, its decorations stripped.
        (
            '<div align="center">\n  <h1>🗣️ Large Language Model Course</h1>\n</div>',
            "Large Language Model Course",
        ),
        (
            "<h1>:speech_balloon: Large Language Model Course :rocket:</h1>",
            "Large Language Model Course",
        ),
        (
            "# 🗣️ LLM Course [![Stars](https://img.shields.io/github/stars/o/r)](https://github.com/o)",
            "LLM Course",
        ),
        # A logo as the H1: its alt text names the list, and the sections below it stay.
        ('<h1 align="center"><img src="logo.png" alt="Awesome LLM"></h1>', "Awesome LLM"),
        ("# ![Awesome LLM](media/logo.svg)", "Awesome LLM"),
        # Else the first heading (an HTML one too), but not a sponsor's heading holding a
        # link, nor a table of contents: then the file's name.
        (
            '<div align="center">\n<h3>Open Source Society University</h3>\n</div>',
            "Open Source Society University",
        ),
        (
            '<div>\n<h2><a href="https://s.example/app">Supercharge</a><br>Your Mac</h2>\n</div>'
            "\n\n## Contents\n\n- [Notebooks](#notebooks)",
            "papers",
        ),
        ("# ![logo](logo.png)", "Notebooks"),
        # A banner opening the README names it better than a first heading that is only
        # the first of its sections; an alt that only says 'image' names nothing.
        ('<div align="center">\n<img src="img/banner.png" alt="LLM Course">\n</div>', "LLM Course"),
        (
            '<div align="center">\n<img src="https://i.example/x.png" alt="Image">\n</div>',
            "Notebooks",
        ),
        (
            '<p><img src="logo.svg" alt="Awesome"></p>\n\n## Contents\n\n- [Notebooks](#notebooks)',
            "Awesome",
        ),
    ],
)
def test_the_guide_s_title_is_its_h1_else_its_first_heading_else_its_name(
    head: str, title: str
) -> None:
    guide = parse_readme(head + SECTIONS, "lists/papers.md").guide
    assert guide.title == title
    assert [s.title for s in guide.sections] == ["Notebooks", "More"]


def test_a_readme_from_github_without_headings_is_named_after_its_repository() -> None:
    source = "https://raw.githubusercontent.com/mlabonne/llm-course/HEAD/README.md"
    assert parse_readme("- [A](https://a.example/a)\n", source).guide.title == "llm-course"
