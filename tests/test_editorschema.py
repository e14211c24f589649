"""synthdoc schema: JSON Schemas that accept every file check accepts and reject what it rejects, and the
line in files made by init and import that points an editor at them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import REPO, small_files, write_project
from synthdoc.cli import app
from synthdoc.core.yamlfile import load_yaml

runner = CliRunner()


def schema(which: str) -> dict:
    result = runner.invoke(app, ["schema", which])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def problems(which: str, data: object) -> list[str]:
    validator = jsonschema.Draft7Validator(schema(which))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_the_schemas_are_valid_json_schemas():
    for which in ("claims", "project"):
        jsonschema.Draft7Validator.check_schema(schema(which))


@pytest.mark.parametrize("path", sorted((REPO / "sources").glob("*.yaml")), ids=lambda p: p.name)
def test_every_claims_file_of_the_example_is_valid(path):
    assert problems("claims", load_yaml(path).data) == []


def test_the_example_and_starter_projects_are_valid():
    assert problems("project", load_yaml(REPO / "synthdoc.yaml").data) == []
    assert problems("project", load_yaml(REPO / "src/synthdoc/starter/synthdoc.yaml").data) == []


def small_claims() -> dict:
    return load_yaml(write_project(Path(__import__("tempfile").mkdtemp()), small_files())
                     / "sources" / "smith2020.yaml").data


def test_what_check_rejects_the_schema_rejects():
    data = small_claims()
    data["claims"][0]["qoute"] = data["claims"][0].pop("quote")
    data["claims"][1]["kind"] = "findings"
    data["claims"][1]["at"] = {"page": 87, "section": "1.1"}
    found = problems("claims", data)
    assert any(p.startswith("claims/0: Additional properties") and "qoute" in p for p in found), found
    assert any(p.startswith("claims/0: 'quote' is a required property") for p in found), found
    assert any(p.startswith("claims/1/kind: 'findings' is not one of") for p in found), found
    assert any(p.startswith("claims/1/at:") for p in found), found


def test_a_draft_needs_no_themes_or_statement_but_a_claim_does():
    data = small_claims()
    for claim in data["claims"]:
        del claim["themes"], claim["says"]
    assert len(problems("claims", data)) == 4
    for claim in data["claims"]:
        claim["draft"] = True
        claim["from"] = {"file": "smith2020.pdf", "annotation": "NM-1"}
    assert problems("claims", data) == []


def test_schema_needs_to_know_which():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 2 and "claims or project" in result.output


def modeline_target(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, first
    return (path.parent / m.group(1)).resolve()


def test_init_writes_the_schemas_its_files_point_at(tmp_path):
    assert runner.invoke(app, ["init", str(tmp_path / "new")]).exit_code == 0
    root = tmp_path / "new"
    config, claims = root / "synthdoc.yaml", root / "sources" / "udhr1948.yaml"
    assert json.loads(modeline_target(config).read_text()) == schema("project")
    assert json.loads(modeline_target(claims).read_text()) == schema("claims")
    assert problems("project", load_yaml(config).data) == []
    assert problems("claims", load_yaml(claims).data) == []


def test_schema_write_refreshes_a_project(tmp_path):
    root = write_project(tmp_path, small_files())
    result = runner.invoke(app, ["schema", "--write", "-C", str(root)])
    assert result.exit_code == 0, result.output
    assert "$schema=../schemas/claims.schema.json" in result.output
    assert json.loads((root / "schemas" / "claims.schema.json").read_text()) == schema("claims")
