//! The benchmark's answer: about 150 words, shared with the timing example.

/// About 150 words, with a typo, a negation, a hedge, a rejected red flag and cited numbers.
pub const ANSWER: &str = "Throughput dropped when we went from 16 to 64 threads, and p99 latency went \
up, so my first suspects are lock contention or oversubscription; it's not disk IO because wa is \
0. I would check the run queue with vmstat 1: r is about 40 on 8 CPUs, and sy is above 70%, so \
threads are spinning in the kernel rather than doing useful work. Context switches are high too, \
around 3000 a second. Then perf lock report shows one hot lock, the futex hash bucket lock, with \
most of the wait time; perf top agrees with native_queued_spin_lock_slowpath at the top. That \
serial critical section caps the speedup, which is Amdahl at work. Instead of adding more threads \
I would cap the pool near the core count, shard the lock by key, and shorten the critical section \
by moving work out of the lock. Maybe a faster CPU would help a little, but not much. Then measure \
again to confirm the fix and watch the contetion numbers fall.";
