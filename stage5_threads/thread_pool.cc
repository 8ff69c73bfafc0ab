#include "stage5_threads/thread_pool.h"

#ifdef __linux__
#include <sched.h>
#endif

#include <chrono>
#include <thread>

#include "common/profile.h"

namespace stage5 {
namespace {

// Tells the core that this is a spin loop: it then saves power and, with SMT, gives the sibling
// thread the pipeline instead of racing through the loop.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// About a microsecond of pause instructions: a barrier whose threads run at the same time is
// usually passed within that.
constexpr int kPureSpins = 100;

}  // namespace

ThreadPool::ThreadPool(int threads) : size_(threads < 1 ? 1 : threads), cpus_(size_) {
#ifdef __linux__
  cpu_set_t allowed;
  spread_ = sched_getaffinity(0, sizeof allowed, &allowed) == 0 && size_ <= CPU_COUNT(&allowed);
#endif
  for (int t = 1; t < size_; ++t) workers_.emplace_back([this, t] { Work(t); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  Wake();
  for (std::thread& worker : workers_) worker.join();
}

template <typename Done>
void ThreadPool::WaitUntil(Done done) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point give_up = Clock::now() + std::chrono::microseconds(kSpinMicroseconds);
  for (int spins = 1; !done(); ++spins) {
    if (spins < kPureSpins) {
      CpuRelax();
      continue;
    }
    // The other threads are late: maybe waiting for this very core, on a busy machine. Offer
    // it to them, and stop spinning once it has lasted longer than a region should.
    std::this_thread::yield();
    if (spins % 16 == 0 && Clock::now() > give_up) break;
  }
  if (done()) return;
  // Sleep. The count of sleepers and the state that done() reads are both sequentially
  // consistent: either Wake() sees this thread counted, or this thread sees the new state.
  absl::MutexLock lock(&mutex_);
  sleepers_.fetch_add(1);
  while (!done()) wake_.Wait(&mutex_);
  sleepers_.fetch_sub(1);
}

void ThreadPool::Wake() {
  if (sleepers_.load() == 0) return;
  // Taking the mutex orders this with a sleeper between its last check and its Wait.
  { absl::MutexLock lock(&mutex_); }
  wake_.SignalAll();
}

void ThreadPool::Run(absl::FunctionRef<void(int)> task) {
  if (size_ == 1) {
    task(0);
    return;
  }
  SpreadOut(0);
  task_ = &task;
  unfinished_.store(size_ - 1);
  region_.fetch_add(1);  // releases task_ and unfinished_ to the workers
  Wake();
  task(0);
  // A region ends in a barrier too: the caller's wait here for the others is profiled as one.
  PROFILE_SCOPE("waiting at barriers");
  WaitUntil([this] { return unfinished_.load() == 0; });
  task_ = nullptr;
}

void ThreadPool::Work(int thread) {
  uint64_t seen = 0;
  for (;;) {
    WaitUntil([&] { return region_.load() != seen || stop_.load(); });
    if (stop_.load()) return;
    seen = region_.load();
    SpreadOut(thread);
    (*task_)(thread);
    if (unfinished_.fetch_sub(1) == 1) Wake();
  }
}

// Now and then the scheduler puts two of our threads on one CPU (when a third task woke on the
// other, say) and leaves them there for tens of milliseconds while the other CPU idles: a thread
// that has just run is "cache hot", and the load balancer does not move it until it has failed
// several times. Every step on those two threads then takes twice as long (README.md has how
// often). So a thread that finds itself on the CPU of a thread before it moves off: its affinity
// is set to every other CPU it may use, which moves it at once, and then back to all of them, so
// that it is never pinned (pinned, it could not flee a CPU that another process wants).
void ThreadPool::SpreadOut(int thread) {
#ifdef __linux__
  if (!spread_) return;
  const int cpu = sched_getcpu();
  cpus_[thread].id.store(cpu, std::memory_order_relaxed);
  if (cpu < 0) return;
  for (int before = 0; before < thread; ++before) {
    if (cpus_[before].id.load(std::memory_order_relaxed) != cpu) continue;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    cpu_set_t others = allowed;
    CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others) == 0) return;
    sched_setaffinity(0, sizeof others, &others);
    sched_setaffinity(0, sizeof allowed, &allowed);
    cpus_[thread].id.store(sched_getcpu(), std::memory_order_relaxed);
    return;
  }
#else
  (void)thread;
#endif
}

void ThreadPool::Barrier() {
  if (size_ == 1) return;
  PROFILE_SCOPE("waiting at barriers");
  const uint64_t generation = barrier_.load();
  if (arrived_.fetch_add(1) + 1 == size_) {
    arrived_.store(0);
    barrier_.fetch_add(1);  // releases everything written before every thread's arrival
    Wake();
    return;
  }
  WaitUntil([&] { return barrier_.load() != generation; });
}

}  // namespace stage5
