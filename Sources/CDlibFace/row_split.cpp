// One helper thread for the whole process, started on first use. While a session holds it, it spins
// (kernel calls follow each other within microseconds, too fast for a condition variable's wake-up);
// between sessions it sleeps on one.
//
// A layer's rows are cut into chunks that the calling thread and the helper claim one at a time, so
// the caller never waits for a helper that has not started: a helper the scheduler put on the
// caller's own CPU, or one still waking up, simply gets fewer chunks (or none).
#include "row_split.hpp"
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace dlibface::row_split {

namespace {

inline void pause() {
#if defined(__x86_64__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

std::atomic<int> running_jobs{0};

// Chunks per kernel call: enough that either thread can take most of the work when the other is late.
constexpr int chunks_per_call = 8;

// Pauses the idle helper spins before it yields its CPU once (a few microseconds).
constexpr int idle_spins = 256;

class Helper {
public:
    static Helper &shared() {
        // Never destroyed: the thread runs until the process exits.
        static Helper *helper = new Helper();
        return *helper;
    }

    bool try_acquire() {
        bool expected = false;
        if (!owned.compare_exchange_strong(expected, true, std::memory_order_acquire)) return false;
        wake();
        return true;
    }

    void acquire() {
        bool expected = false;
        while (!owned.compare_exchange_weak(expected, true, std::memory_order_acquire)) {
            expected = false;
            std::this_thread::yield();
        }
        wake();
    }

    void release() {
        awake.store(false, std::memory_order_release);
        owned.store(false, std::memory_order_release);
    }

    // Runs body over [0, rows) in chunks claimed by this thread and the helper; returns when all are done.
    void run(const std::function<void(int, int)> &body, int rows) {
        const int chunks = std::min(rows, chunks_per_call);
        task = &body;
        task_rows = rows;
        task_chunks = chunks;
        finished.store(0, std::memory_order_relaxed);
        const uint64_t ticket = generation + 1;
        generation = ticket;
        // Publishes the task: the claim word now carries the new ticket and chunk 0.
        claim.store(ticket << 32, std::memory_order_release);
        while (work(ticket)) {}
        for (int spins = 0; finished.load(std::memory_order_acquire) != chunks; ++spins) {
            // The helper holds a chunk; if it shares this CPU, let it run.
            if (spins < 4096) pause(); else std::this_thread::yield();
        }
    }

private:
    Helper() { std::thread([this] { loop(); }).detach(); }

    void wake() {
        std::lock_guard<std::mutex> lock(mutex);
        awake.store(true, std::memory_order_release);
        sleeping.notify_one();
    }

    // Claims and computes one chunk of task `ticket`; false when none is left (or the task is over).
    bool work(uint64_t ticket) {
        uint64_t word = claim.load(std::memory_order_acquire);
        for (;;) {
            const uint64_t chunk = word & 0xffffffffu;
            if ((word >> 32) != ticket || chunk >= uint64_t(task_chunks)) return false;
            if (claim.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel)) break;
        }
        const int index = int(word & 0xffffffffu);
        const int first = int(int64_t(task_rows) * index / task_chunks);
        const int end = int(int64_t(task_rows) * (index + 1) / task_chunks);
        (*task)(first, end);
        finished.fetch_add(1, std::memory_order_acq_rel);
        return true;
    }

    void loop() {
        uint64_t seen = 0;
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(mutex);
                sleeping.wait(lock, [this] { return awake.load(std::memory_order_acquire); });
            }
            int idle = 0;
            while (awake.load(std::memory_order_acquire)) {
                const uint64_t ticket = claim.load(std::memory_order_acquire) >> 32;
                if (ticket == seen) {
                    // Between kernel calls: spin, but past a few microseconds let any other
                    // runnable thread (the server's network threads, say) have this core.
                    if (++idle < idle_spins) pause(); else { idle = 0; std::this_thread::yield(); }
                    continue;
                }
                idle = 0;
                seen = ticket;
                while (work(ticket)) {}
            }
        }
    }

    std::atomic<bool> owned{false}, awake{false};
    // (ticket << 32) | next chunk to claim. A ticket names one kernel call; a stale claim fails its ticket check.
    std::atomic<uint64_t> claim{0};
    std::atomic<int> finished{0};
    uint64_t generation = 0; // the session's thread only
    // Written by the session's thread before `claim` carries the new ticket; read after a claim succeeds.
    const std::function<void(int, int)> *task = nullptr;
    int task_rows = 0, task_chunks = 0;
    std::mutex mutex;
    std::condition_variable sleeping;
};

// The calling thread's session: whether it holds the helper, and whether it keeps it regardless.
thread_local bool holding = false;
thread_local bool keep = false;

void give_back() {
    holding = false;
    keep = false;
    Helper::shared().release();
}

} // namespace

void job_started() { running_jobs.fetch_add(1, std::memory_order_relaxed); }
void job_ended() { running_jobs.fetch_sub(1, std::memory_order_relaxed); }

Session::Session(bool wanted, bool wait) {
    if (!wanted) return;
    if (wait) {
        Helper::shared().acquire();
        holding = keep = true;
    } else if (running_jobs.load(std::memory_order_relaxed) <= 1) {
        holding = Helper::shared().try_acquire();
    }
}

Session::~Session() {
    if (holding) give_back();
}

void rows(int rows, const std::function<void(int, int)> &body) {
    if (holding && !keep && running_jobs.load(std::memory_order_relaxed) > 1) give_back();
    if (!holding || rows < 2) return body(0, rows);
    Helper::shared().run(body, rows);
}

} // namespace dlibface::row_split
