"""The output package's shape: a terminal, a layout and one view module per command group.

The views mirror llmdive.cli (a newcomer finds what `undo` prints in views/undo.py), no
module grows past about 600 lines, signatures name real types, the imports inside the
package point one way (function-local ones counted), and the terminal's idea of a
control character is model/text.py's, the one set.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp
import pytest

import llmdive.cli
import llmdive.output
from llmdive.model.text import safe
from llmdive.output import layout, terminal
from llmdive.output.terminal import has_controls, json_safe

OUTPUT = Path(llmdive.output.__file__).parent
VIEWS = OUTPUT / "views"
CLI = Path(llmdive.cli.__file__).parent
SHARED = {"__init__", "common"}  # the package and the pieces every view shares


def _view_names() -> list[str]:
    return sorted(p.stem for p in VIEWS.glob("*.py") if p.stem not in SHARED)


def test_each_view_module_is_named_for_a_command_group_of_the_cli() -> None:
    groups = {p.stem for p in CLI.glob("*.py")}
    views = _view_names()
    assert views, "no view modules found"
    assert [v for v in views if v not in groups] == []
    # Every command group that prints a view of its own has its module among the views.
    # Not command groups: the root, Tab's names, and the fast path's Typer-free pieces.
    plumbing = {"__init__", "app", "completion", "params", "fast", "bodies", "run"}
    for group in sorted(groups - plumbing):
        assert (VIEWS / f"{group}.py").exists(), group


def test_no_module_of_the_output_package_is_over_600_lines() -> None:
    files = OUTPUT.rglob("*.py")
    sizes = {str(p.relative_to(OUTPUT)): len(p.read_text().splitlines()) for p in files}
    assert {name: n for name, n in sizes.items() if n > 600} == {}


def _public_functions() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name in ["layout", "terminal", "views.common", *(f"views.{v}" for v in _view_names())]:
        module = importlib.import_module(f"llmdive.output.{name}")
        for attr, value in vars(module).items():
            if getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value):
                found.append((f"{name}.{attr}", value))
            elif inspect.isclass(value):
                for meth, fn in vars(value).items():
                    if inspect.isfunction(fn):
                        found.append((f"{name}.{attr}.{meth}", fn))
    return found


def test_signatures_of_the_terminal_the_layout_and_the_views_name_real_types() -> None:
    functions = _public_functions()
    assert len(functions) > 40
    with_any = []
    for name, fn in functions:
        annotations = getattr(fn, "__annotations__", {})
        if any("Any" in str(a).replace("AnyStr", "") for a in annotations.values()):
            with_any.append(name)
    # guide status hands its view the dict the core builds (update.status: dict[str, Any]).
    assert with_any == ["views.guide.render_status"]


def test_imports_inside_the_output_package_point_one_way() -> None:
    graph = grimp.build_graph("llmdive", include_external_packages=False, cache_dir=None)
    modules = sorted(m for m in graph.modules if m.startswith("llmdive.output"))
    edges = {m: graph.find_modules_directly_imported_by(m) & set(modules) for m in modules}
    try:
        order = list(TopologicalSorter(edges).static_order())
    except CycleError as exc:  # the message names the circle
        pytest.fail(f"an import cycle in llmdive.output: {exc.args[1]}")
    assert order.index("llmdive.output.layout") < order.index("llmdive.output.terminal")
    # Views share only `common`; none imports another view or the CLI above it.
    for view in _view_names():
        name = f"llmdive.output.views.{view}"
        imported = graph.find_modules_directly_imported_by(name)
        assert {m for m in imported if m.startswith("llmdive.output.views.")} <= {
            "llmdive.output.views.common"
        }, name
        assert not {m for m in imported if m.startswith("llmdive.cli")}, name
    assert "llmdive.output.terminal" not in graph.find_modules_directly_imported_by(
        "llmdive.output.layout"
    )


def test_the_terminal_and_model_text_agree_on_every_control_character() -> None:
    # One set: whatever `safe` escapes is what has_controls finds, code point by code point,
    # and json_safe escapes exactly those of them that the JSON encoder leaves raw.
    disagree = []
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        control = has_controls(c)
        escaped = safe(c) != c
        in_json = json_safe(c) != c if code >= 0x20 else control  # C0: the encoder's job
        if control != escaped or control != in_json:
            disagree.append(hex(code))
    assert disagree == []
    assert has_controls("a\nb", allow_newlines=True) is False
    assert has_controls("a\nb") is True


def test_layout_writes_through_any_lines_not_only_the_terminal_writer() -> None:
    # layout knows no Writer: a Grid lays out for whatever has a width and takes lines.
    class Collect:
        width: int | None = 30
        urls = False
        styled = False

        def __init__(self) -> None:
            self.lines: list[str] = []

        def line(self, *parts: layout.Part) -> None:
            self.lines.append("".join(p if isinstance(p, str) else p[0] for p in parts))

        def text(self, *parts: layout.Part, indent: int = 0, hang: int | None = None) -> None:
            for row in layout.wrap(parts, (self.width or 0) - indent):
                self.line(" " * indent, *row)

    out = Collect()
    grid = layout.Grid(out, [5], [2], min_text=10)
    grid.row(["id"], ["a title long enough to wrap over two lines"])
    assert out.lines[0].startswith("id     a title")
    assert all(layout.cells(line) <= 30 for line in out.lines)
    assert len(out.lines) > 1
    assert terminal.Writer.__module__ == "llmdive.output.terminal"


def test_a_row_for_a_pipe_is_the_text_of_the_general_row() -> None:
    # A pipe's rows (no width, no style) are written as one string each; a styled writer
    # without a width takes the general way. Both give the same text, controls, wide
    # characters and cells of several parts included.
    class Collect:
        width: int | None = None
        urls = True

        def __init__(self, styled: bool) -> None:
            self.styled = styled
            self.lines: list[str] = []

        def line(self, *parts: layout.Part) -> None:
            self.lines.append(safe("".join(p if isinstance(p, str) else p[0] for p in parts)))

        def text(self, *parts: layout.Part, indent: int = 0, hang: int | None = None) -> None:
            raise AssertionError("a row never wraps in a pipe")

    rows: list[tuple[list[layout.Part | list[layout.Part]], list[layout.Part], str | None]] = [
        (["✓", ("an-id", "cyan"), [(" Easy ", "x")], ("post", "dim")], ["A title"], "https://a/b"),
        (["·", ("名前", "cyan"), ["Hard"], "video"], [("T\x1bx", "", "u"), " (personal)"], None),
        ([("–", "dim"), "x", [], ""], [], "https://\u202ec"),
    ]
    outs = []
    for styled in (False, True):
        out = Collect(styled)
        grid = layout.Grid(out, [1, 6, 7, 5], [1, 2, 3, 2], lead=2, hang=6)
        for cells_, text, url in rows:
            grid.row(cells_, text, url)
        outs.append(out.lines)
    assert outs[0] == outs[1]
    assert outs[0][1] == "  · 名前    Hard      video  T\\x1bx (personal)"
