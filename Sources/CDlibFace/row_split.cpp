// One helper thread for the whole process, started on first use. While a session holds it, it spins
// (kernel calls follow each other within microseconds, too fast for a condition variable's wake-up);
// between sessions it sleeps on one.
#include "row_split.hpp"
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

    // Runs `body` on [first, end) on the helper thread while the caller computes its own part;
    // returns the ticket `finish` waits for.
    uint64_t post(const std::function<void(int, int)> &body, int first, int end) {
        task = &body;
        task_first = first;
        task_end = end;
        return posted.fetch_add(1, std::memory_order_acq_rel) + 1;
    }

    void finish(uint64_t ticket) {
        while (done.load(std::memory_order_acquire) != ticket) pause();
    }

private:
    Helper() { std::thread([this] { loop(); }).detach(); }

    void wake() {
        std::lock_guard<std::mutex> lock(mutex);
        awake.store(true, std::memory_order_release);
        sleeping.notify_one();
    }

    void loop() {
        uint64_t seen = 0;
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(mutex);
                sleeping.wait(lock, [this] { return awake.load(std::memory_order_acquire); });
            }
            while (awake.load(std::memory_order_acquire)) {
                const uint64_t ticket = posted.load(std::memory_order_acquire);
                if (ticket == seen) {
                    pause();
                    continue;
                }
                seen = ticket;
                (*task)(task_first, task_end);
                done.store(ticket, std::memory_order_release);
            }
        }
    }

    std::atomic<bool> owned{false}, awake{false};
    std::atomic<uint64_t> posted{0}, done{0};
    // Written by the session's thread before `posted` is raised, read by the helper after it sees that.
    const std::function<void(int, int)> *task = nullptr;
    int task_first = 0, task_end = 0;
    std::mutex mutex;
    std::condition_variable sleeping;
};

std::atomic<int> running_jobs{0};

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
    const int half = rows / 2;
    Helper &helper = Helper::shared();
    const uint64_t ticket = helper.post(body, half, rows);
    body(0, half);
    helper.finish(ticket);
}

} // namespace dlibface::row_split
