#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Bazel and CMake build the same files and the same tests.

Evaluates the BUILD.bazel files of the root, pool/, logger/, sinks/, tests/
and bench/ (there only the load program and the libraries it is built
from, which the tests use) with stand-ins
for Bazel's rules that record what each target lists, reads the
CMakeLists.txt beside each, and fails naming every file that one side lists
and the other does not, and every test whose source, size, defines or child
program differ. Files are compared per folder; headers of the tests'
testonly helper libraries are not (CMake reaches them by include path).

The tree is $TEST_SRCDIR/$TEST_WORKSPACE (Bazel's runfiles, or the source
tree under ctest), or the first argument.
"""

import fnmatch
import os
import re
import sys

PACKAGES = ["", "pool", "logger", "sinks", "tests", "bench"]
# bench/ is mirrored only for what the tests need (these targets and the
# package's own targets they depend on); the benchmarks are built with Bazel
# alone.
MIRRORED_ONLY = {"bench": {"load"}}
BAZEL_DEFAULT_SIZE = "medium"


class Target:
    def __init__(self, kind, attrs):
        self.kind = kind
        self.name = attrs["name"]
        self.attrs = attrs

    def files(self):
        return list(self.attrs.get("srcs", [])) + list(self.attrs.get("hdrs", []))


class BazelReader:
    """Runs BUILD and .bzl files as Python with recording rule stand-ins."""

    def __init__(self, root):
        self.root = root
        self.loaded = {}

    def _path(self, label):
        m = re.fullmatch(r"//([^:]*):(.+)", label)
        if not m:
            raise ValueError("cannot load %r" % label)
        return os.path.join(self.root, m.group(1), m.group(2))

    def _env(self, package, targets):
        def rule(kind):
            def record(**attrs):
                targets.append(Target(kind, attrs))
            return record

        def ignore(*args, **kwargs):
            del args, kwargs

        def glob(patterns, exclude=()):
            names = sorted(os.listdir(os.path.join(self.root, package)))
            return [n for n in names
                    if any(fnmatch.fnmatch(n, p) for p in patterns)
                    and not any(fnmatch.fnmatch(n, e) for e in exclude)]

        rules = {k: rule(k) for k in [
            "cc_library", "cc_binary", "cc_test", "sh_test", "sh_binary",
            "filegroup"]}
        env = dict(rules)
        env.update(package=ignore, exports_files=ignore, glob=glob)

        class Native:
            pass

        native = Native()
        for k, v in env.items():
            setattr(native, k, v)
        env["native"] = native

        def load(label, *symbols, **aliases):
            module = self._load(label, package, targets)
            for s in symbols:
                env[s] = module[s]
            for alias, s in aliases.items():
                env[alias] = module[s]

        env["load"] = load
        return env

    def _load(self, label, package, targets):
        path = self._path(label)
        if path not in self.loaded:
            env = self._env(package, targets)
            with open(path) as f:
                exec(compile(f.read(), path, "exec"), env)
            self.loaded[path] = env
        return self.loaded[path]

    def package(self, package):
        targets = []
        path = os.path.join(self.root, package, "BUILD.bazel")
        with open(path) as f:
            exec(compile(f.read(), path, "exec"), self._env(package, targets))
        return targets


def cmake_commands(path):
    """The commands of a CMake file as (name, [arguments]), comments out."""
    text = open(path).read()
    commands = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        m = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(").match(text, i)
        if not m:
            i += 1
            continue
        name, i = m.group(1), m.end()
        args, depth, cur = [], 0, None
        while i < n:
            c = text[i]
            if c == '"':
                j = i + 1
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                cur = (cur or "") + text[i + 1:j]
                i = j + 1
                continue
            if c == "#":
                while i < n and text[i] != "\n":
                    i += 1
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    i += 1
                    break
                depth -= 1
            if c.isspace() or c in "()":
                if cur is not None:
                    args.append(cur)
                    cur = None
            else:
                cur = (cur or "") + c
            i += 1
        if cur is not None:
            args.append(cur)
        commands.append((name.lower(), args))
    return commands


def keyword_args(args, flags, single, multi):
    """cmake_parse_arguments for a list of arguments."""
    out = {k: False for k in flags}
    out.update({k: None for k in single})
    out.update({k: [] for k in multi})
    key = None
    for a in args:
        if a in flags:
            out[a], key = True, None
        elif a in single or a in multi:
            key = a
        elif key in single:
            out[key], key = a, None
        elif key in multi:
            out[key].append(a)
    return out


def read_cmake(root, package):
    """(files, tests) that package's CMakeLists.txt lists."""
    files, tests = set(), {}
    here = package

    def add(folder, name):
        files.add(os.path.normpath(os.path.join(folder, name)))

    for name, args in cmake_commands(os.path.join(root, package,
                                                  "CMakeLists.txt")):
        if name == "relog_sources":
            folder = "" if args[0] == "." else args[0]
            kw = keyword_args(args[1:], [], [], ["SRCS", "HDRS"])
            for f in kw["SRCS"] + kw["HDRS"]:
                add(folder, f)
        elif name in ("add_executable", "add_library"):
            if "ALIAS" in args or "IMPORTED" in args:
                continue
            for a in args[1:]:
                if a in ("STATIC", "SHARED", "MODULE", "OBJECT", "INTERFACE",
                         "EXCLUDE_FROM_ALL") or a.startswith("$"):
                    continue
                add(here, a)
        elif name == "relog_add_test":
            kw = keyword_args(args[1:], ["CHILD", "OWN_MAIN"], ["SRC", "SIZE"],
                              ["DEFINES", "ARGS", "LIBS"])
            src = kw["SRC"] or args[0] + ".cc"
            add(here, src)
            tests[args[0]] = {"srcs": [src], "size": kw["SIZE"] or "small",
                              "child": kw["CHILD"],
                              "defines": sorted(kw["DEFINES"])}
        elif name == "relog_add_sh_test":
            kw = keyword_args(args[1:], [], ["SCRIPT", "SIZE", "SRCDIR"], [])
            add(here, kw["SCRIPT"])
            tests[args[0]] = {"srcs": [kw["SCRIPT"]],
                              "size": kw["SIZE"] or "small", "child": False,
                              "defines": []}
    return files, tests


def read_bazel(reader, package):
    """(files, tests) that package's BUILD.bazel lists."""
    files, tests = set(), {}
    targets = reader.package(package)
    only = MIRRORED_ONLY.get(package)
    if only is not None:  # those targets and their local dependencies
        by_name = {t.name: t for t in targets}
        only, todo = set(), list(only)
        while todo:
            name = todo.pop()
            if name in only or name not in by_name:
                continue
            only.add(name)
            todo.extend(d[1:] for d in by_name[name].attrs.get("deps", [])
                        if d.startswith(":"))
    for t in targets:
        if only is not None and t.name not in only:
            continue
        if t.kind not in ("cc_library", "cc_binary", "cc_test", "sh_test"):
            continue
        if t.kind == "cc_library" and t.attrs.get("testonly"):
            continue
        for f in t.files():
            files.add(os.path.normpath(os.path.join(package, f)))
        if t.kind in ("cc_test", "sh_test"):
            tests[t.name] = {
                "srcs": list(t.attrs.get("srcs", [])),
                "size": t.attrs.get("size", BAZEL_DEFAULT_SIZE),
                "child": ":child" in t.attrs.get("data", []),
                "defines": sorted(t.attrs.get("local_defines", [])),
            }
    return files, tests


def main():
    if len(sys.argv) > 1:
        root = sys.argv[1]
    else:
        root = os.path.join(os.environ["TEST_SRCDIR"],
                            os.environ["TEST_WORKSPACE"])
    reader = BazelReader(root)
    problems = []
    nfiles = ntests = 0
    for package in PACKAGES:
        build = os.path.join(package, "BUILD.bazel")
        cmake = os.path.join(package, "CMakeLists.txt")
        bazel_files, bazel_tests = read_bazel(reader, package)
        cmake_files, cmake_tests = read_cmake(root, package)
        nfiles += len(bazel_files)
        ntests += len(bazel_tests)
        for f in sorted(bazel_files - cmake_files):
            problems.append("%s: listed in %s, missing from %s" %
                            (f, build, cmake))
        for f in sorted(cmake_files - bazel_files):
            problems.append("%s: listed in %s, missing from %s" %
                            (f, cmake, build))
        for t in sorted(bazel_tests.keys() - cmake_tests.keys()):
            problems.append("test %s: in %s, missing from %s" %
                            (t, build, cmake))
        for t in sorted(cmake_tests.keys() - bazel_tests.keys()):
            problems.append("test %s: in %s, missing from %s" %
                            (t, cmake, build))
        for t in sorted(bazel_tests.keys() & cmake_tests.keys()):
            for key in ("srcs", "size", "child", "defines"):
                b, c = bazel_tests[t][key], cmake_tests[t][key]
                if b != c:
                    problems.append("test %s: %s is %s in %s, %s in %s" %
                                    (t, key, b, build, c, cmake))
    if problems:
        for p in problems:
            print("DRIFT: " + p, file=sys.stderr)
        print("%d difference(s) between Bazel and CMake" % len(problems),
              file=sys.stderr)
        return 1
    print("Bazel and CMake list the same %d files and %d tests" %
          (nfiles, ntests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
