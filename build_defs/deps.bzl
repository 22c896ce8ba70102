"""Dependency lists shared by kvstore's BUILD files."""

# The Abseil components that kvstore's code includes (Debian's libabsl-dev,
# repositories in build_defs/repositories.bzl). Targets take them all, as
# the one Abseil wrapper they replace linked; narrowing each target to the
# components it includes is left to do.
ABSL = [
    "@com_google_absl//absl/container:flat_hash_map",
    "@com_google_absl//absl/status",
    "@com_google_absl//absl/status:statusor",
    "@com_google_absl//absl/strings",
    "@com_google_absl//absl/strings:cord",
    "@com_google_absl//absl/strings:str_format",
    "@com_google_absl//absl/synchronization",
    "@com_google_absl//absl/time",
]
