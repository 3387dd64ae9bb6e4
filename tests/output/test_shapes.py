"""The --json shapes, declared once: TypedDicts the builders return and schema/ is made of."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
from typing_extensions import is_typeddict

from llmdive.guide.catalogue import Catalogue
from llmdive.model.models import Progress
from llmdive.output import jsonout, jsonreport, shapes
from tests.helpers import subprocess_env


def test_every_output_is_a_typeddict_or_a_list_of_one() -> None:
    for name, (shape, commands) in shapes.SHAPES.items():
        inner = shape.__args__[0] if getattr(shape, "__origin__", None) is list else shape
        assert is_typeddict(inner), name
        assert commands, name


def test_every_shape_is_closed_and_requires_every_key() -> None:
    """A key a shape does not declare is refused, and every declared key must be there."""

    def objects(node: object) -> list[dict[str, object]]:
        if isinstance(node, dict):
            here = [node] if node.get("type") == "object" and "properties" in node else []
            return here + [o for v in node.values() for o in objects(v)]
        if isinstance(node, list):
            return [o for v in node for o in objects(v)]
        return []

    for name, schema in shapes.schemas().items():
        found = objects(schema)
        assert found, name
        for obj in found:
            assert obj["additionalProperties"] is False, name
            assert sorted(obj["required"]) == sorted(obj["properties"]), name  # type: ignore[call-overload]


def test_a_builders_output_follows_the_schema_of_its_shape(catalogue: Catalogue) -> None:
    item = catalogue.resolve_id("lora")
    link = jsonout.LinkJson(catalogue, Progress())(item)
    assert list(link) == list(shapes.Link.__annotations__)
    jsonschema.validate(
        jsonreport.change_json(link, "status", "unread", "read"),
        shapes.schemas()["changes"]["$defs"]["Change"]
        | {"$defs": shapes.schemas()["changes"]["$defs"]},
    )


def test_building_json_imports_neither_the_shapes_nor_pydantic() -> None:
    code = (
        "import sys, llmdive.output.jsonout; "
        "print(sorted(m for m in ('pydantic', 'llmdive.output.shapes') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(proc.stdout.replace("'", '"')) == []
