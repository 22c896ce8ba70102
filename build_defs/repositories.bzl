"""kvstore's external repositories: Debian's system libraries.

Called from kvstore's WORKSPACE, and from the WORKSPACE of any workspace
that depends on kvstore (tests/install/bazel_consumer):

    load("@kvstore//build_defs:repositories.bzl", "kvstore_repositories")
    kvstore_repositories()

Nothing is downloaded: each repository links the headers of an installed
Debian package (./bazelw installs them) and reads its link flags from
pkg-config. A repository is only fetched when a target being built needs
it, so LMDB and Boost (//bench only) are not needed by `bazel test //...`.
"""

load(":system_library.bzl", "abseil_repository", "system_library")

def kvstore_repositories():
    # Abseil (libabsl-dev 20220623, shared libraries), one target per
    # component we use, each linking its pkg-config module's closure.
    abseil_repository(
        name = "com_google_absl",
        targets = {
            "absl/base": ["absl_base"],
            "absl/base:core_headers": ["absl_core_headers"],
            "absl/container:flat_hash_map": ["absl_flat_hash_map"],
            "absl/container:flat_hash_set": ["absl_flat_hash_set"],
            "absl/functional:function_ref": ["absl_function_ref"],
            "absl/status": ["absl_status"],
            "absl/status:statusor": ["absl_statusor"],
            "absl/strings": ["absl_strings"],
            "absl/strings:cord": ["absl_cord"],
            "absl/strings:str_format": ["absl_str_format"],
            "absl/synchronization": ["absl_synchronization"],
            "absl/time": ["absl_time"],
            "absl/types:optional": ["absl_optional"],
            "absl/types:span": ["absl_span"],
        },
    )

    # GoogleTest and GoogleMock (libgtest-dev, libgmock-dev; static
    # archives). As upstream, :gtest includes GoogleMock; :gtest_main adds
    # gmock_main's main(), which also initialises GoogleMock.
    system_library(
        name = "com_google_googletest",
        apt_package = "libgmock-dev",
        headers = ["gmock", "gtest"],
        targets = {
            "gtest": ["gmock"],
            "gtest_main": ["gmock_main"],
        },
    )

    # Google Benchmark (libbenchmark-dev 1.7.1). libbenchmark_main.a has no
    # pkg-config module; it must precede -lbenchmark.
    system_library(
        name = "com_github_google_benchmark",
        apt_package = "libbenchmark-dev",
        headers = ["benchmark"],
        targets = {
            "benchmark": ["benchmark"],
            "benchmark_main": [],
        },
        linkopts = {
            "benchmark": ["-pthread"],
            "benchmark_main": ["-lbenchmark_main", "-lbenchmark", "-pthread"],
        },
    )

    # Boost (libboost-dev 1.74), header-only parts: Boost.Interprocess and
    # the containers and hashes of the //bench peer. No pkg-config module;
    # shm_open needs librt on older glibc, interprocess mutexes pthread.
    system_library(
        name = "boost",
        apt_package = "libboost-dev",
        headers = ["boost"],
        targets = {"interprocess": []},
        linkopts = {"interprocess": ["-lrt", "-pthread"]},
    )

    # xxHash (libxxhash-dev): used header-only (XXH_INLINE_ALL), the shared
    # library linked too so non-inline use works.
    system_library(
        name = "xxhash",
        apt_package = "libxxhash-dev",
        headers = ["xxh3.h", "xxh_x86dispatch.h", "xxhash.h"],
        targets = {"xxhash": ["libxxhash"]},
    )

    # hiredis (libhiredis-dev 0.14.1): the Redis tier (//kvstore/tier) and
    # the Redis peer of the benchmark comparison.
    system_library(
        name = "hiredis",
        apt_package = "libhiredis-dev",
        headers = ["hiredis"],
        targets = {"hiredis": ["hiredis"]},
    )

    # nlohmann-json (nlohmann-json3-dev, header only): the tests' strict,
    # independent JSON checker (tests/cli/json_checker), not the product.
    system_library(
        name = "nlohmann_json",
        apt_package = "nlohmann-json3-dev",
        headers = ["nlohmann"],
        targets = {"nlohmann_json": ["nlohmann_json"]},
    )

    # LMDB (liblmdb-dev 0.9.24), a peer in the benchmark comparison only.
    system_library(
        name = "lmdb",
        apt_package = "liblmdb-dev",
        headers = ["lmdb.h"],
        targets = {"lmdb": ["lmdb"]},
    )

    # libedit (libedit-dev, BSD licence): the tool's interactive session,
    # through its readline-compatible <editline/readline.h>.
    system_library(
        name = "libedit",
        apt_package = "libedit-dev",
        headers = ["editline", "histedit.h"],
        targets = {"libedit": ["libedit"]},
    )

    # Debian's Python 3 headers (python3-dev). Debian 12 ships Python 3.11;
    # the module (//python) is built for /usr/bin/python3.
    native.new_local_repository(
        name = "python3_headers",
        build_file = str(Label("//third_party:python3_headers.BUILD")),
        path = "/usr/include/python3.11",
    )

    # pybind11 (pybind11-dev, header-only). Extension modules link no
    # libpython: the interpreter that imports them provides it.
    system_library(
        name = "pybind11",
        apt_package = "pybind11-dev",
        headers = ["pybind11"],
        targets = {"pybind11": ["pybind11"]},
        deps = {"pybind11": ["@python3_headers//:headers"]},
    )
