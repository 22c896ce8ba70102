#!/bin/bash
# Installs (or with --uninstall removes) kvstore under a prefix:
#   bin/kvstore                    the command-line tool
#   share/bash-completion/completions/kvstore
#                                  its bash completion ('kvstore completion
#                                  bash'), where bash-completion looks
#   share/man/man1/kvstore.1       its manual page ('kvstore help --man')
#   include/kvstore/*.h            the public headers (C++ and c_api.h)
#   LIBDIR/libkvstore.a            static library (position independent)
#   LIBDIR/libkvstore.so.0.1.0     shared library, soname libkvstore.so.0,
#   LIBDIR/libkvstore.so.0, .so    and its symlinks
#   LIBDIR/pkgconfig/kvstore.pc
#   PYDIR/kvstore.cpython-311-x86_64-linux-gnu.so   the Python module
# LIBDIR is lib/x86_64-linux-gnu (Debian multiarch) under /usr and lib
# elsewhere; PYDIR is /usr/lib/python3/dist-packages under /usr and
# lib/python3.11/dist-packages elsewhere: where Debian's python3 looks.
# Idempotent: installing again overwrites the same files.
#
# Usage: ./bazelw run //:install -- [--prefix=DIR] [--libdir=DIR]
#                                   [--no-python] [--uninstall]
set -euo pipefail

readonly VERSION=0.1.0
# coreutils install(1), by path: this script is itself called "install".
readonly INSTALL=/usr/bin/install
prog=install

usage() {
  echo "usage: ./bazelw run //:install -- [--prefix=DIR] [--libdir=DIR] [--no-python] [--uninstall]"
}

prefix=/usr/local
libdir=""
python=1
uninstall=0
for arg in "$@"; do
  case "$arg" in
    --prefix=*) prefix=${arg#--prefix=} ;;
    --libdir=*) libdir=${arg#--libdir=} ;;
    --no-python) python=0 ;;
    --uninstall) uninstall=1; prog=uninstall ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$prog: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -z "$prefix" ]; then
  echo "$prog: --prefix is empty" >&2
  exit 2
fi

# `bazel run` runs us from the runfiles tree; a relative prefix means
# relative to where the user typed the command.
case "$prefix" in
  /*) ;;
  *) prefix="${BUILD_WORKING_DIRECTORY:-$PWD}/$prefix" ;;
esac
prefix=${prefix%/}
[ -n "$prefix" ] || prefix=/

multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
if [ -z "$libdir" ]; then
  if [ "$prefix" = /usr ]; then
    libdir="$prefix/lib/$multiarch"
  else
    libdir="$prefix/lib"
  fi
fi
case "$libdir" in
  /*) ;;
  *) libdir="$prefix/$libdir" ;;
esac
if [ "$prefix" = /usr ]; then
  pydir=/usr/lib/python3/dist-packages
else
  pydir="$prefix/lib/python3.11/dist-packages"
fi
pymodule=kvstore.cpython-311-$multiarch.so

# The built files: in this script's runfiles.
find_runfiles() {
  local dir
  for dir in "${RUNFILES_DIR:-}" "${TEST_SRCDIR:-}" "$0.runfiles" \
             "$(dirname "$0")/install.runfiles"; do
    if [ -n "$dir" ] && [ -f "$dir/kvstore/kvstore/c_api.h" ]; then
      echo "$dir/kvstore"
      return
    fi
  done
  echo "$prog: cannot find the built files; run me with './bazelw run //:install'" >&2
  exit 1
}

completion="$prefix/share/bash-completion/completions/kvstore"
manpage="$prefix/share/man/man1/kvstore.1"

headers=(c_api.h c_api_typed.h fixed_string.h options.h schema.h
         schema_macros.h snapshot.h store.h typed_map.h typed_store.h value.h)

do_uninstall() {
  local h
  rm -f "$prefix/bin/kvstore" "$completion" "$manpage"
  for h in "${headers[@]}"; do rm -f "$prefix/include/kvstore/$h"; done
  rm -f "$libdir/libkvstore.a" "$libdir/libkvstore.so" \
        "$libdir/libkvstore.so.0" "$libdir/libkvstore.so.$VERSION" \
        "$libdir/pkgconfig/kvstore.pc" "$pydir/$pymodule"
  # Directories we may have created, if now empty.
  rmdir "$prefix/include/kvstore" 2>/dev/null || true
  echo "$prog: removed kvstore from $prefix"
}

do_install() {
  local root h
  root=$(find_runfiles)
  "$INSTALL" -d "$prefix/bin" "$prefix/include/kvstore" "$libdir/pkgconfig"
  "$INSTALL" -m 0755 "$root/cli/kvstore" "$prefix/bin/kvstore"
  # Both made by the tool from its own command table and help texts.
  "$INSTALL" -d "$(dirname "$completion")" "$(dirname "$manpage")"
  "$root/cli/kvstore" completion bash > "$completion.tmp"
  mv -f "$completion.tmp" "$completion"
  "$root/cli/kvstore" help --man > "$manpage.tmp"
  mv -f "$manpage.tmp" "$manpage"
  chmod 0644 "$completion" "$manpage"
  for h in "${headers[@]}"; do
    "$INSTALL" -m 0644 "$root/kvstore/$h" "$prefix/include/kvstore/$h"
  done
  "$INSTALL" -m 0644 "$root/libkvstore.a" "$libdir/libkvstore.a"
  "$INSTALL" -m 0755 "$root/libkvstore.so" "$libdir/libkvstore.so.$VERSION"
  ln -sfn "libkvstore.so.$VERSION" "$libdir/libkvstore.so.0"
  ln -sfn "libkvstore.so.0" "$libdir/libkvstore.so"
  sed -e "s|@PREFIX@|$prefix|" -e "s|@LIBDIR@|$libdir|" \
      -e "s|@VERSION@|$VERSION|" "$root/kvstore.pc.in" \
      > "$libdir/pkgconfig/kvstore.pc.tmp"
  mv -f "$libdir/pkgconfig/kvstore.pc.tmp" "$libdir/pkgconfig/kvstore.pc"
  chmod 0644 "$libdir/pkgconfig/kvstore.pc"
  if [ "$python" -eq 1 ] && [ -f "$root/python/kvstore.so" ]; then
    "$INSTALL" -d "$pydir"
    "$INSTALL" -m 0755 "$root/python/kvstore.so" "$pydir/$pymodule"
  fi
  # The system directories are in ld.so's cache: refresh it.
  if [ "$(id -u)" -eq 0 ] && { [ "$prefix" = /usr ] || [ "$prefix" = /usr/local ]; }; then
    ldconfig || true
  fi
  echo "$prog: installed kvstore $VERSION into $prefix (libraries in $libdir)"
}

if [ "$uninstall" -eq 1 ]; then
  do_uninstall
else
  do_install
fi
