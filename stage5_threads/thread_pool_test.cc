// The pool behind stage 5's parallel training step: every thread runs, barriers order phases,
// and sleeping threads wake up again.
#include "stage5_threads/thread_pool.h"

#ifdef __linux__
#include <sched.h>
#endif

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/profile.h"
#include "gtest/gtest.h"

namespace stage5 {
namespace {

TEST(ThreadPool, RunsEveryThreadOnce) {
  for (int size : {1, 2, 3, 8}) {
    ThreadPool pool(size);
    EXPECT_EQ(pool.size(), size);
    for (int round = 0; round < 100; ++round) {
      std::vector<std::atomic<int>> runs(size);
      pool.Run([&](int t) { runs[t].fetch_add(1); });
      for (int t = 0; t < size; ++t) ASSERT_EQ(runs[t].load(), 1) << "size " << size;
    }
  }
}

TEST(ThreadPool, AtLeastOneThread) { EXPECT_EQ(ThreadPool(0).size(), 1); }

#ifdef __linux__
// Put thread 1 on thread 0's CPU, as the scheduler sometimes does, and free it again: in the next
// region it must run on another CPU.
TEST(ThreadPool, MovesAWorkerOffItsCallersCpu) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  if (CPU_COUNT(&allowed) < 2) GTEST_SKIP() << "needs two CPUs";
  ThreadPool pool(2);
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> caller_cpu{-1};
    pool.Run([&](int t) {
      if (t == 0) caller_cpu = sched_getcpu();
      pool.Barrier();
      if (t == 0) return;
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(caller_cpu.load(), &one);
      ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);  // moves there now
      ASSERT_EQ(sched_setaffinity(0, sizeof allowed, &allowed), 0);
    });
    std::atomic<int> cpus[2];
    pool.Run([&](int t) {
      cpus[t] = sched_getcpu();
      pool.Barrier();  // both are in the region at once
    });
    EXPECT_NE(cpus[0].load(), cpus[1].load()) << "round " << round;
  }
}
#endif

// `train --profile` must show what thread 0 waits for the others, at a Barrier and at the end of
// a region, as "waiting at barriers", not as untimed time. Thread 1 sleeps 20 ms before each.
TEST(ThreadPool, ProfilesTheWaitsOfThreadZero) {
  ThreadPool pool(2);
  auto late = [](int t) {
    if (t == 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  common::EnableProfile(true);
  common::TakeProfile();
  pool.Run([&](int t) {
    late(t);
    pool.Barrier();
    late(t);
  });
  const std::vector<common::ProfilePart> parts = common::TakeProfile();
  common::EnableProfile(false);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "waiting at barriers");
  EXPECT_GE(parts[0].seconds, 0.040);  // both 20 ms waits, by a steady clock that never runs slow
}

// Each phase reads what every thread wrote in the phase before, which the barrier must order.
// Without it, a thread would read slots of the previous phase and the sum would be off.
TEST(ThreadPool, BarrierSeparatesPhases) {
  for (int size : {2, 3, 4}) {
    ThreadPool pool(size);
    std::vector<int> slots(size, 0);
    std::vector<int> sums(size, 0);
    pool.Run([&](int t) {
      for (int phase = 1; phase <= 2000; ++phase) {
        slots[t] = phase * (t + 1);
        pool.Barrier();
        int sum = 0;
        for (int other = 0; other < size; ++other) sum += slots[other];
        if (sum != phase * size * (size + 1) / 2) sums[t] = -1;
        pool.Barrier();  // nobody writes the next phase's slot before all have read this one
      }
    });
    for (int t = 0; t < size; ++t) EXPECT_EQ(sums[t], 0) << "size " << size << " thread " << t;
  }
}

// After a pause longer than the spin, the workers sleep; the next Run must wake them.
TEST(ThreadPool, WakesSleepingWorkers) {
  ThreadPool pool(3);
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::microseconds(20 * ThreadPool::kSpinMicroseconds));
    std::atomic<int> runs{0};
    pool.Run([&](int t) {
      if (t == 0) {  // the caller arrives late at the barrier: the others fall asleep there
        std::this_thread::sleep_for(std::chrono::microseconds(5 * ThreadPool::kSpinMicroseconds));
      }
      pool.Barrier();
      runs.fetch_add(1);
    });
    EXPECT_EQ(runs.load(), 3);
  }
}

TEST(ThreadPool, ManyShortRegions) {
  ThreadPool pool(2);
  long total = 0;
  std::vector<long> parts(2, 0);
  for (int round = 0; round < 20000; ++round) {
    pool.Run([&](int t) { parts[t] += t + 1; });
  }
  for (long part : parts) total += part;
  EXPECT_EQ(total, 20000 * 3);
}

}  // namespace
}  // namespace stage5
