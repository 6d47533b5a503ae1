# SPDX-License-Identifier: Apache-2.0
"""relog_deps(): the repositories relog needs, all local.

A consumer workspace calls it after adding relog itself:

    local_repository(name = "relog", path = "...")
    load("@relog//third_party:deps.bzl", "relog_deps")
    relog_deps()

It declares three small stub repositories that replace what Bazel 4 would
otherwise download for every C++ build (rules_cc, rules_java,
remote_coverage_tools), and one repository per system library (fmt, Abseil,
GoogleTest, Google Benchmark, spdlog, zlib, nlohmann-json) from the Debian
packages under /usr.
A repository that is already declared is left alone, so a consumer can
provide its own.
"""

def _relog_tree_repo_impl(ctx):
    # Paths given to local_repository inside a macro resolve against the
    # consumer's root, not relog's; a Label finds relog's own files wherever
    # relog lives.
    src = ctx.path(Label("//third_party:deps.bzl")).dirname.get_child(ctx.attr.dir)
    for child in src.readdir():
        ctx.symlink(child, child.basename)

_relog_tree_repo = repository_rule(
    implementation = _relog_tree_repo_impl,
    attrs = {"dir": attr.string(mandatory = True)},
    local = True,
)

_SYSTEM_LIBS = [
    "fmt",
    "absl",
    "gtest",
    "benchmark",
    "spdlog",
    "zlib",
    "nlohmann_json",
]

def relog_deps():
    """Declares the stub and system-library repositories relog needs."""
    for stub in ["rules_cc", "rules_java", "remote_coverage_tools"]:
        if not native.existing_rule(stub):
            _relog_tree_repo(name = stub, dir = stub)
    for lib in _SYSTEM_LIBS:
        name = "system_" + lib
        if not native.existing_rule(name):
            native.new_local_repository(
                name = name,
                path = "/usr",
                build_file = str(Label("//third_party:%s.BUILD" % lib)),
            )
