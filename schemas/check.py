#!/usr/bin/env python3
"""Validate NDJSON events against the Daicho envelope schema (the cross-check of the Swift validator).

Usage: python3 schemas/check.py EVENTS.ndjson

Prints one JSON object per input line: {"line": N, "valid": true|false, "error": null|"..."}, N counting
from 1. A line that is not JSON is reported invalid. Exits 0 when it could check, 2 on a usage error, and
77 when the python packages `jsonschema` and `referencing` are missing (the Swift test then skips).

Notes: "format" is not asserted (jsonschema's default); the envelope's `pattern` for "at" carries the check.
Python's `$` also matches before a final newline, so keep such strings out of the cross-check corpus.
"""
import json
import pathlib
import sys

try:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
    from referencing import Registry, Resource
except ImportError as error:
    print(f"check.py: python package missing ({error}); install with: pip install jsonschema", file=sys.stderr)
    sys.exit(77)

SCHEMAS = pathlib.Path(__file__).resolve().parent


def load_validator():
    """Registers every *.schema.json under the schemas directory by its $id and returns the envelope's validator."""
    registry = Registry()
    envelope = None
    for path in sorted(SCHEMAS.rglob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(contents)
        registry = registry.with_resource(contents["$id"], Resource.from_contents(contents))
        if path.name == "envelope.schema.json" and path.parent == SCHEMAS:
            envelope = contents
    return Draft202012Validator(envelope, registry=registry)


def describe(error):
    """`<json path>: <message>` for the most relevant error."""
    return f"{error.json_path}: {error.message}"


def main(argv):
    if len(argv) != 2:
        print("usage: check.py EVENTS.ndjson", file=sys.stderr)
        return 2
    validator = load_validator()
    with open(argv[1], "rb") as events:
        for number, raw in enumerate(events, start=1):
            try:
                instance = json.loads(raw)
            except ValueError as error:
                result = {"line": number, "valid": False, "error": f"not JSON: {error}"}
            else:
                error = best_match(validator.iter_errors(instance))
                result = {"line": number, "valid": error is None, "error": None if error is None else describe(error)}
            print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
