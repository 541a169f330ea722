"""Both manifests, as committed and as generated, validate against Slack's own published manifest
schema (github.com/slackapi/manifest-schema at c50cfa8, MIT; kept in tests/payloads/slack-manifest-schema
with its source). A manifest without `_metadata.major_version` is version 1."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from bot.slack.manifest import manifest
from tests.support import PAYLOADS, ROOT

SCHEMAS = PAYLOADS / "slack-manifest-schema"


def schema_for(document: dict) -> dict:
    version = (document.get("_metadata") or {}).get("major_version", 1)
    return json.loads((SCHEMAS / f"manifest.schema.{version}.0.0.json").read_text())


def errors(document: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(schema_for(document))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("name", ["manifest.yml", "manifest.socket-mode.yml"])
def test_the_committed_manifests_are_valid_for_slack(name):
    assert errors(yaml.safe_load((ROOT / name).read_text())) == []


@pytest.mark.parametrize("socket_mode", [False, True])
def test_the_generated_manifests_are_valid_for_slack(socket_mode):
    assert errors(manifest(socket_mode)) == []


def test_the_schema_catches_version_two_parameters_in_a_version_one_manifest():
    """The form main used to write: six errors per manifest. Proves the check above can fail."""
    document = manifest()
    step = next(iter(document["functions"].values()))
    step["input_parameters"] = {"properties": step["input_parameters"], "required": []}
    assert any("input_parameters" in error for error in errors(document))
