#ifndef STAGE5_THREADS_THREAD_POOL_H_
#define STAGE5_THREADS_THREAD_POOL_H_

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"

namespace stage5 {

// Threads that live as long as the pool, for many short parallel regions.
//
// A training step takes a fraction of a millisecond, so threads cannot be started for each step,
// and putting them to sleep and waking them for each one (a futex wake-up and reschedule costs
// several microseconds, more on a busy VM) would eat a large share of it. So a waiting thread
// first spins, watching an atomic counter, for up to kSpinMicroseconds; the next region or the
// other threads at a barrier usually arrive within that. Only then does it sleep, on an Abseil
// condition variable, so an idle pool (during evaluation, or between runs) costs no CPU.
class ThreadPool {
 public:
  // `threads` >= 1, the caller of Run included: threads - 1 workers are started.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }

  // Runs task(t) on every thread t in [0, size()) at once, the caller being thread 0, and returns
  // when all have finished. Not reentrant: call it from one thread at a time, not from a task.
  void Run(absl::FunctionRef<void(int thread)> task);

  // Inside a task: returns once every thread of the pool has reached it. Everything a thread
  // wrote before its Barrier is visible to every thread after theirs. `train --profile` counts
  // the time spent here, and at the end of Run, as "waiting at barriers".
  void Barrier();

  static constexpr int kSpinMicroseconds = 200;

 private:
  void Work(int thread);
  // At the start of a region: if `thread` shares its CPU with a thread of a lower number, it moves
  // to another CPU (Linux; elsewhere it does nothing). thread_pool.cc says why.
  void SpreadOut(int thread);
  // Returns once done() is true: spins first, then sleeps until Wake().
  template <typename Done>
  void WaitUntil(Done done);
  // Wakes the threads sleeping in WaitUntil so that they check again.
  void Wake();

  const int size_;
  std::vector<std::thread> workers_;
  const absl::FunctionRef<void(int)>* task_ = nullptr;  // set by Run before it starts a region

  std::atomic<uint64_t> region_{0};   // incremented by Run to start a region
  std::atomic<int> unfinished_{0};    // workers still in the current region
  std::atomic<int> arrived_{0};       // threads at the barrier
  std::atomic<uint64_t> barrier_{0};  // incremented when the last thread arrives
  std::atomic<bool> stop_{false};

  // The CPU each thread started its last region on, a cache line each; -1 if unknown (kept only
  // while spread_).
  struct alignas(64) Cpu {
    std::atomic<int> id{-1};
  };
  std::vector<Cpu> cpus_;
  bool spread_ = false;  // at most one thread per CPU this process may use

  absl::Mutex mutex_;
  absl::CondVar wake_;
  std::atomic<int> sleepers_{0};
};

}  // namespace stage5

#endif  // STAGE5_THREADS_THREAD_POOL_H_
