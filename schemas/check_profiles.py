#!/usr/bin/env python3
"""Validate `daicho profiles` NDJSON against schemas/profile.schema.json.

Usage: python3 schemas/check_profiles.py PROFILES.ndjson
Prints one JSON line per invalid profile ({"line": N, "error": "..."}) and a final {"profiles": N, "invalid": N}.
Exits 0 when every profile is valid, 1 otherwise, 77 when the python package jsonschema is missing.
"""
import json
import pathlib
import sys

try:
    from jsonschema import Draft202012Validator
except ImportError as error:
    print(f"check_profiles.py: python package missing ({error}); install with: pip install jsonschema", file=sys.stderr)
    sys.exit(77)


def main(argv):
    if len(argv) != 2:
        print("usage: check_profiles.py PROFILES.ndjson", file=sys.stderr)
        return 2
    schema = json.loads((pathlib.Path(__file__).resolve().parent / "profile.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    count = invalid = 0
    with open(argv[1], encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            count += 1
            try:
                profile = json.loads(line)
            except ValueError as error:
                problem = f"not JSON: {error}"
            else:
                error = next(iter(validator.iter_errors(profile)), None)
                problem = None if error is None else f"{error.json_path}: {error.message}"
            if problem is not None:
                invalid += 1
                print(json.dumps({"line": number, "error": problem}, ensure_ascii=False))
    print(json.dumps({"profiles": count, "invalid": invalid}))
    return 0 if invalid == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
