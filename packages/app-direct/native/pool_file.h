// The pool file as a whole: creating it, opening it, checking it, probing its lock.
// No JavaScript types here: results are errno-style integers and a message.
#pragma once

#include <libpmemobj.h>

#include <cstdint>
#include <string>

namespace app_direct {

// Turns the existing (sparse) file at `path` into an empty cache pool with `bucket_count`
// buckets, then closes it. Returns 0 or an errno, with `why` filled in.
int CreatePool(const std::string &path, uint64_t bucket_count, std::string *why);

// Opens the pool at `path` (our layout only). Returns nullptr with `err` set (EAGAIN: locked).
PMEMobjpool *OpenPool(const std::string &path, int *err, std::string *why);

// PMDK's consistency check on a private (copy-on-write) mapping: the file is not modified.
// 1 consistent, 0 inconsistent, -1 error (errno in `err`).
int CheckPool(const std::string &path, int *err, std::string *why);

// True when another open file description holds the flock PMDK takes on an open pool.
// Returns -1 with `err` set when the file cannot be opened.
int ProbeLocked(const std::string &path, int *err);

}  // namespace app_direct
