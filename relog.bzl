# SPDX-License-Identifier: Apache-2.0
"""Build settings shared by relog's BUILD files."""

# Our own copts on top of .bazelrc (-Wall -Wextra -Werror come from there for
# every file of this repository, and stay off for a consumer's build).
RELOG_COPTS = [
    "-Wshadow",
    "-Wnon-virtual-dtor",
]
