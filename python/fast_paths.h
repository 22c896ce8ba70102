// Hand-written CPython entry points for kvstore.Store's hottest calls:
// store[key], key in store, store.get(key[, default]) and
// store[key] = value. pybind11's generic dispatch (argument loaders, a
// function record walk, C++ exceptions) costs several times the store's own
// lookup; these take the arguments straight from the interpreter.
//
// Each handles the common case only: a str or bytes key (exact types), a
// store that is open, and for reads an entry that can be read without the
// lock (Store::TryGet), so the GIL is kept for a read that cannot wait. Any
// other case (another key type, a read that needs the lock, a value of
// another type, keyword arguments, a closed store) is passed to pybind11's
// own method, unchanged, which then behaves and raises exactly as before:
// the GIL is released whenever a call may wait. A write always takes the
// lock, so the fast store[key] = value releases the GIL around it.
#ifndef KVSTORE_PYTHON_FAST_PATHS_H_
#define KVSTORE_PYTHON_FAST_PATHS_H_

#include <pybind11/pybind11.h>

namespace kvstore {
namespace python {

// Installs the fast paths on the pybind11 class of PyStore (`store_class`,
// kvstore.Store), after its methods are defined. Call once, at import.
void InstallFastPaths(pybind11::handle store_class);

}  // namespace python
}  // namespace kvstore

#endif  // KVSTORE_PYTHON_FAST_PATHS_H_
