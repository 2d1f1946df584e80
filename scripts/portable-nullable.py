#!/usr/bin/env python3
"""Rewrites openapi/meetings.yaml (or the files given) from the old nullable-reference form to the
portable one, in place, keeping every other line as written.

The rule (ARCHITECTURE.md, "Spec forms"):

    <key>:                                   <key>:
      type: T                                  description: ...
      nullable: true                  ==>      anyOf:
      description: ...                           - $ref: '#/components/schemas/R'
      allOf: [{$ref: '#/.../R'}]                 - {type: T, nullable: true, enum: [null]}

A schema block (a mapping written one key per line) holding `nullable: true` and an `allOf` with a
single `$ref` loses `type` and `nullable`; the `allOf` becomes an `anyOf` of the reference and a
null-only schema of the same type (`object` when the block has no `type`). Both the flow form
(`allOf: [{$ref: ...}]`) and the block form (`allOf:` then `- $ref: ...`) are handled. `cargo xtask
lint` rejects the old form, so running this twice changes nothing.
"""

import re
import sys

REF = re.compile(r"""\$ref:\s*['"]?([^'"}\s]+)['"]?""")


def indent(line):
    return len(line) - len(line.lstrip(" "))


def convert(lines):
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        # A block mapping opens on `key:` (or `- key:` for a list item) with nothing after it.
        if stripped.endswith(":") and not stripped.startswith("#"):
            body_indent = None
            j = i + 1
            block = []
            while j < len(lines):
                candidate = lines[j]
                if candidate.strip() == "":
                    break
                if body_indent is None:
                    body_indent = indent(candidate)
                    if body_indent <= indent(line):
                        break
                if indent(candidate) < body_indent:
                    break
                block.append(candidate)
                j += 1
            rewritten = rewrite(block, body_indent) if block else None
            if rewritten is not None:
                out.append(line)
                out.extend(rewritten)
                i = j
                continue
        out.append(line)
        i += 1
    return out


def rewrite(block, body_indent):
    """The block's lines in the portable form, or None when the block is not an old-form schema."""
    own = [(n, l) for n, l in enumerate(block) if indent(l) == body_indent]
    keys = {l.strip().split(":", 1)[0]: n for n, l in own}
    if "nullable" not in keys or "allOf" not in keys:
        return None
    if block[keys["nullable"]].split(":", 1)[1].strip() != "true":
        return None
    all_of_at = keys["allOf"]
    value = block[all_of_at].split(":", 1)[1].strip()
    if value:
        refs = REF.findall(value)
        end = all_of_at + 1
    else:
        end = all_of_at + 1
        while end < len(block) and indent(block[end]) > body_indent:
            end += 1
        refs = REF.findall(" ".join(block[all_of_at + 1 : end]))
    if len(refs) != 1:
        return None
    kind = "object"
    if "type" in keys:
        kind = block[keys["type"]].split(":", 1)[1].strip()
    pad = " " * body_indent
    result = []
    for n, l in enumerate(block):
        if n in (keys["nullable"], keys.get("type")):
            continue
        if n == all_of_at:
            result.append(f"{pad}anyOf:\n")
            result.append(f"{pad}  - $ref: '{refs[0]}'\n")
            result.append(f"{pad}  - {{type: {kind}, nullable: true, enum: [null]}}\n")
            continue
        if all_of_at < n < end:
            continue
        result.append(l)
    return result


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
        converted = convert(lines)
        if converted != lines:
            with open(path, "w", encoding="utf-8") as f:
                f.writelines(converted)
            print(f"{path}: rewrote {len(lines) - len(converted)} lines' worth of nullable references")


if __name__ == "__main__":
    main(sys.argv[1:] or ["openapi/meetings.yaml"])
