# SPDX-License-Identifier: Apache-2.0
"""relog_test(): the shape every test in tests/ shares."""

load("//:relog.bzl", "RELOG_COPTS")

def relog_test(name, deps, size = "small", child = False, **kwargs):
    """A cc_test built from tests/<name>.cc with relog's copts.

    Args:
      name: the test, and the base name of its one source file.
      deps: as for cc_test.
      size: as for cc_test; small unless said.
      child: the test runs tests/child_main.cc as child processes: it gets
        the child program as data and its path as its first argument.
      **kwargs: any other cc_test attribute (args and data are added to the
        child's).
    """
    args = kwargs.pop("args", [])
    data = kwargs.pop("data", [])
    if child:
        args = ["$(rootpath :child)"] + args
        data = [":child"] + data
    if args:
        kwargs["args"] = args
    if data:
        kwargs["data"] = data
    native.cc_test(
        name = name,
        size = size,
        srcs = [name + ".cc"],
        copts = RELOG_COPTS,
        deps = deps,
        **kwargs
    )
