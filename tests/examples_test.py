#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The code examples in README.md and in the headers' comments compile.

Which text is an example:
  - README.md: every ```cpp fenced block (also one indented under a list
    item; the indentation is removed).
  - A header (*.h under logger/, sinks/, pool/, and relog.h): a comment
    line `// Example:` (anything may follow the colon), then the example's
    lines, each `//` and at least two spaces (`//   code`); the first line
    that is not (a bare `//` included) ends it. Other indented comment text
    (tables, sample output) has no marker and is not compiled.

How an example is compiled (g++ -std=c++20 -fsyntax-only, against relog's
headers as a consumer includes them, relog/<folder>/<name>.h):
  - its `#include` lines first, at file scope; for a header's example, the
    header itself is included first;
  - then <string> and the header the names below need: relog/relog.h for
    a README example (which reads as following the README's
    `#include "relog/relog.h"`), relog/logger/logger.h for a header's (so a
    header's example must include what else it uses);
  - then the rest, tried two ways, and the example passes if either
    compiles: as the body of a function whose parameters are the names the
    examples use without declaring them (a fragment), in a block of its own
    so that an example may declare one of those names again:
        relog::Logger& log, relog::Logger& logger, std::string user,
        std::string ip, int id, int rid, int delay, int port, double ms
    or as a file of its own (an example that declares at namespace scope,
    such as a template specialization).

A failure names the example by file:line (the line of its first code line)
with the compiler's first errors for each way it was tried.
"""

import os
import re
import subprocess
import sys

FRAGMENT_PARAMS = (
    "relog::Logger& log, relog::Logger& logger, std::string user, "
    "std::string ip, int id, int rid, int delay, int port, double ms"
)


def readme_examples(path, rel):
    """Yields (where, code) for each ```cpp block of a Markdown file."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)```cpp\s*$", lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group(1))
        start = i + 2  # 1-based line of the first code line
        body = []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].isspace()
                        else lines[i].lstrip())
            i += 1
        i += 1
        yield f"{rel}:{start}", "\n".join(body), None


def header_examples(path, rel):
    """Yields (where, code, header) for each `// Example:` block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if not re.match(r"^// Example:", lines[i]):
            i += 1
            continue
        i += 1
        start = i + 1
        body = []
        while i < len(lines) and re.match(r"^//  ", lines[i]):
            body.append(lines[i][4:] if lines[i].startswith("//   ")
                        else lines[i][2:].lstrip())
            i += 1
        if not body:
            yield f"{rel}:{start}", None, None
        else:
            yield f"{rel}:{start}", "\n".join(body), rel


def sources(code, header):
    """The two translation units an example is tried as."""
    includes, rest = [], []
    for line in code.split("\n"):
        (includes if line.lstrip().startswith("#include") else rest).append(
            line)
    head = []
    if header is not None:
        head.append(f'#include "relog/{header}"')
    head += includes
    # A header's example gets only what the parameters need, so that one
    # that forgets an include of its own fails.
    front = "logger/logger.h" if header is not None else "relog.h"
    head += ["#include <string>", f'#include "relog/{front}"', ""]
    body = "\n".join(rest)
    fragment = "\n".join(head) + (
        f"\nvoid RelogExample({FRAGMENT_PARAMS}) {{\n{{\n{body}\n}}\n}}\n")
    whole = "\n".join(head) + body + "\n"
    return [("as a function body", fragment), ("as a file", whole)]


def compile_ok(source, name, tmp, include_dir):
    path = os.path.join(tmp, name + ".cc")
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    result = subprocess.run(
        ["g++", "-std=c++20", "-fsyntax-only", "-I" + include_dir, path],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Names the generated file shortly, and relog's headers by their path.
    output = result.stdout.replace(path, "<example>").replace(
        os.path.join(include_dir, ""), "")
    return result.returncode == 0, output


def main():
    root = os.path.join(os.environ["TEST_SRCDIR"], os.environ["TEST_WORKSPACE"])
    tmp = os.environ["TEST_TMPDIR"]
    include_dir = os.path.join(tmp, "include")
    os.makedirs(include_dir, exist_ok=True)
    link = os.path.join(include_dir, "relog")
    if not os.path.lexists(link):
        os.symlink(root, link)

    examples = list(readme_examples(os.path.join(root, "README.md"),
                                    "README.md"))
    headers = ["relog.h"]
    for folder in ("logger", "pool", "sinks"):
        headers += sorted(
            f"{folder}/{n}" for n in os.listdir(os.path.join(root, folder))
            if n.endswith(".h"))
    for rel in headers:
        examples += list(header_examples(os.path.join(root, rel), rel))

    failures = 0
    for n, (where, code, header) in enumerate(examples):
        if code is None:
            print(f"FAIL: {where}: `// Example:` is not followed by code "
                  "lines (`//   code`)", file=sys.stderr)
            failures += 1
            continue
        errors = []
        for how, source in sources(code, header):
            ok, output = compile_ok(source, f"example{n}", tmp, include_dir)
            if ok:
                break
            errors.append((how, output))
        else:
            failures += 1
            print(f"FAIL: {where}: the example does not compile", file=sys.stderr)
            for how, output in errors:
                lines = output.split("\n")
                first = [l for l in lines if ": error:" in l][:5] or lines[:5]
                print(f"  {how}:", file=sys.stderr)
                for line in first:
                    print(f"    {line}", file=sys.stderr)
    print(f"{len(examples)} examples, {failures} failed")
    readme = sum(1 for e in examples if e[0].startswith("README.md"))
    # A guard against the extraction finding nothing (a changed marker).
    if readme < 5 or len(examples) - readme < 5:
        print("FAIL: found fewer examples than expected "
              f"({readme} in README.md, {len(examples) - readme} in headers)",
              file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
