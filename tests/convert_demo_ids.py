"""Convert test files written against the demo manifests to the test world (``people.py``).

    python tests/convert_demo_ids.py [--check] FILE...

In Python files, a string literal that is exactly a demo id (``"GM0355"``,
``"eline-de-graaf"``, ``"Eline de Graaf"``) becomes the constant of ``people.DEMO_TO_TEST``; a
demo id inside a longer string becomes ``{CONSTANT}`` (the string is made an f-string, its
braces escaped); in docstrings and comments it becomes the test id. The names used are
imported ``from people import ...`` (run ``ruff check --fix`` and ``ruff format`` after).
Other files get the test values in place. ``--check`` only lists what would change and exits
1 if anything would. What the tool cannot convert (a demo id inside an f-string expression, a
manifest file name) it reports with its line; convert those by hand.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import tokenize
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import people

MAPPING: dict[str, str] = people.DEMO_TO_TEST
VALUES: dict[str, str] = {demo: getattr(people, const) for demo, const in MAPPING.items()}
# Longest first, so that a display name wins over a part of it.
PATTERN = re.compile(
    "|".join(
        r"(?<![\w-])" + re.escape(demo) + r"(?![\w-])"
        for demo in sorted(MAPPING, key=len, reverse=True)
    )
)
#: The file names of the demo manifests (tenants/manifests).
DEMO_FILES = sorted(
    path.name for path in (Path(__file__).parents[1] / "tenants" / "manifests").glob("*.toml")
)
STRING_START = re.compile(r"^([A-Za-z]*)('''|\"\"\"|'|\")", re.S)


def _is_docstring(tokens: list[tokenize.TokenInfo], index: int) -> bool:
    """A string that is a statement of its own (a docstring or a bare string)."""
    before = [
        t
        for t in tokens[:index]
        if t.type not in (tokenize.NL, tokenize.COMMENT, tokenize.ENCODING)
    ]
    after = [t for t in tokens[index + 1 :] if t.type not in (tokenize.NL, tokenize.COMMENT)]
    starts = not before or before[-1].type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    ends = not after or after[0].type in (tokenize.NEWLINE, tokenize.ENDMARKER)
    return starts and ends


def _outside_braces(body: str, start: int) -> bool:
    depth = 0
    i = 0
    while i < start:
        if body.startswith("{{", i) or body.startswith("}}", i):
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(body[i], 0)
        i += 1
    return depth == 0


def _convert_string(text: str, used: set[str], problems: list[str], line: int) -> str:
    match = STRING_START.match(text)
    assert match is not None, text
    prefix, quote = match.group(1), match.group(2)
    body = text[len(prefix) + len(quote) : len(text) - len(quote)]
    lowered = prefix.lower()
    if lowered in ("", "r", "u") and body in MAPPING and PATTERN.fullmatch(body):
        used.add(MAPPING[body])
        return MAPPING[body]
    if "b" in lowered:
        return PATTERN.sub(lambda m: VALUES[m.group(0)], text)
    if "f" not in lowered:
        body = body.replace("{", "{{").replace("}", "}}")
        prefix = "f" + prefix
    pieces: list[str] = []
    last = 0
    for found in PATTERN.finditer(body):
        pieces.append(body[last : found.start()])
        if _outside_braces(body, found.start()):
            used.add(MAPPING[found.group(0)])
            pieces.append("{" + MAPPING[found.group(0)] + "}")
        else:
            problems.append(f"line {line}: {found.group(0)!r} inside an f-string expression")
            pieces.append(found.group(0))
        last = found.end()
    pieces.append(body[last:])
    return prefix + quote + "".join(pieces) + quote


def convert_python(source: str) -> tuple[str, list[str]]:
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    used: set[str] = set()
    problems: list[str] = []
    lines = source.splitlines(keepends=True)
    edits: list[tuple[tuple[int, int], tuple[int, int], str]] = []
    for index, token in enumerate(tokens):
        if not PATTERN.search(token.string):
            continue
        if token.type == tokenize.STRING:
            if _is_docstring(tokens, index):
                new = PATTERN.sub(lambda m: VALUES[m.group(0)], token.string)
            else:
                new = _convert_string(token.string, used, problems, token.start[0])
        elif token.type == tokenize.COMMENT:
            new = PATTERN.sub(lambda m: VALUES[m.group(0)], token.string)
        else:
            continue
        edits.append((token.start, token.end, new))
    for (srow, scol), (erow, ecol), new in reversed(edits):
        head = lines[srow - 1][:scol]
        tail = lines[erow - 1][ecol:]
        lines[srow - 1 : erow] = [head + new + tail]
    result = "".join(lines)
    for name in DEMO_FILES:
        if name in result:
            problems.append(f"demo manifest {name!r}: use a file of people.TEST_MANIFESTS_DIR")
    for name in ("SHIPPED_MANIFESTS_DIR", "demo_tenants"):
        if re.search(rf"\b{name}\b", result):
            problems.append(
                f"{name} (the demo): use TEST_MANIFESTS_DIR or test_tenants, unless the test "
                "is about the demo itself"
            )
    for name in sorted(_bound_names(source) & used):
        problems.append(
            f"{name} is a name of this file and a constant of people.py: rename it in the "
            "original and convert again"
        )
    if used:
        names = ", ".join(sorted(used))
        result = _add_import(result, f"from people import {names}\n")
    return result, problems


def _bound_names(source: str) -> set[str]:
    """The names a module binds anywhere (assignments, parameters, functions, imports)."""
    bound: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add(node.asname or node.name.split(".")[0])
    return bound


def _add_import(source: str, statement: str) -> str:
    """The import after the module's leading imports (ruff's isort sorts it)."""
    module = ast.parse(source)
    insert_after = 0
    for node in module.body:
        if isinstance(node, ast.Import | ast.ImportFrom) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and not insert_after
        ):
            insert_after = node.end_lineno or node.lineno
        else:
            break
    lines = source.splitlines(keepends=True)
    lines.insert(insert_after, statement)
    return "".join(lines)


def convert_text(source: str) -> str:
    return PATTERN.sub(lambda m: VALUES[m.group(0)], source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    changed = False
    for path in args.files:
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            result, problems = convert_python(source)
        else:
            result, problems = convert_text(source), []
        for problem in problems:
            print(f"{path}: {problem}")
        if result != source:
            changed = True
            print(f"{path}: {'would convert' if args.check else 'converted'}")
            if not args.check:
                path.write_text(result, encoding="utf-8")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
