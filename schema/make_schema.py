"""Write the JSON Schema files of llmdive's --json output, from llmdive.output.shapes.

    python schema/make_schema.py

Run it after changing a shape in src/llmdive/output/shapes.py; tests/test_contract.py fails
while the files here and the shapes disagree.
"""

from __future__ import annotations

from pathlib import Path

from llmdive.output.shapes import files

HERE = Path(__file__).resolve().parent


def main() -> None:
    wanted = files()
    for stale in HERE.glob("*.json"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(wanted)} schema files to {HERE}")


if __name__ == "__main__":
    main()
