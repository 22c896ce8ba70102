"""Shared compiler options for all kvstore C++ targets.

Usage:
    load("//build_defs:copts.bzl", "KVSTORE_COPTS")
    cc_library(name = "...", copts = KVSTORE_COPTS, ...)
"""

KVSTORE_COPTS = [
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
]
