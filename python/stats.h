// Store statistics as a Python dict (the fields of kvstore::StoreStats;
// times as Unix seconds, durations as seconds).
#ifndef KVSTORE_PYTHON_STATS_H_
#define KVSTORE_PYTHON_STATS_H_

#include <pybind11/pybind11.h>

#include "kvstore/store.h"

namespace kvstore {
namespace python {

pybind11::dict StatsDict(const StoreStats& stats);

}  // namespace python
}  // namespace kvstore

#endif  // KVSTORE_PYTHON_STATS_H_
