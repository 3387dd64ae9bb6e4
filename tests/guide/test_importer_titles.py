"""Titles as a list writes them: a number that is part of a title stays, list numbering goes."""

from __future__ import annotations

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
