#!/usr/bin/env python3
"""Validates JSON response bodies against openapi/meetings.yaml with openapi-schema-validator's
strict OpenAPI 3.0 validator (OAS30Validator, formats checked), an implementation we did not write.

Usage: validate_bodies.py SPEC SCHEMA_NAME FILE...   (FILE "-" reads stdin; each file holds one
JSON body, or, with --ndjson, one body per line). Prints every error with the body's name and the
JSON path; exits 1 when any body is invalid.
"""

import json
import sys

import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4


def bodies(path, ndjson):
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8")
    with stream:
        if ndjson:
            for number, line in enumerate(stream, 1):
                if line.strip():
                    yield f"{path}:{number}", json.loads(line)
        else:
            yield path, json.load(stream)


def main(argv):
    ndjson = "--ndjson" in argv
    argv = [a for a in argv if a != "--ndjson"]
    if len(argv) < 3:
        sys.exit(__doc__)
    spec_path, schema_name, files = argv[0], argv[1], argv[2:]
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    registry = Registry().with_resource(
        "urn:spec", Resource.from_contents(spec, default_specification=DRAFT4)
    )
    validator = OAS30Validator(
        {"$ref": f"urn:spec#/components/schemas/{schema_name}"},
        registry=registry,
        format_checker=oas30_format_checker,
    )
    checked = invalid = 0
    for path in files:
        for name, body in bodies(path, ndjson):
            checked += 1
            errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
            if errors:
                invalid += 1
            for error in errors:
                where = "/" + "/".join(str(p) for p in error.absolute_path)
                print(f"{name}: {where}: {error.message}")
    print(
        f"openapi-schema-validator: {checked} bodies checked against {schema_name}, {invalid} invalid",
        file=sys.stderr,
    )
    return 1 if invalid or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
