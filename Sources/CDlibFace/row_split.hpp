// Splitting a layer's rows between the calling engine thread and one spare-core helper thread.
// A stream in lockstep waits for each frame's answer, so while the other engine threads are idle a
// detection can use their core: each kernel call cuts its rows into chunks that the calling thread and
// the helper claim one at a time. Every row is computed exactly as a single thread would compute it,
// so the outputs are bit-for-bit the same either way.
#pragma once
#include <functional>

namespace dlibface::row_split {

// The engine jobs running in the process, as the engine worker pools report them: the helper is
// taken only while one job runs, and given back as soon as a second one starts, so it never competes
// with an engine thread for a core.
void job_started();
void job_ended();

// Holds the helper for one network evaluation, when `wanted`, the helper is free and no other engine
// job runs; otherwise (or from the moment another job starts) every kernel runs whole on the calling
// thread. `wait` (tests) waits for the helper instead, and keeps it whatever else runs.
class Session {
public:
    explicit Session(bool wanted, bool wait = false);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;
};

// Runs body(first, end) over the rows [0, rows): in chunks shared with the helper while the calling
// thread holds a session; whole on the calling thread otherwise.
void rows(int rows, const std::function<void(int, int)> &body);

} // namespace dlibface::row_split
