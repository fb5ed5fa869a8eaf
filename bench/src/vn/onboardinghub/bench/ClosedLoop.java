package vn.onboardinghub.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load generator: {@code concurrency} threads, each starting its next operation as soon as the last
 * one answered, until {@code count} operations were started or {@code seconds} passed.
 */
final class ClosedLoop {
    /** One operation; {@code i} is unique within the run. Returns whether the answer was the expected one. */
    interface Operation {
        boolean run(long i) throws Exception;
    }

    record Result(long operations, long failures, double seconds, Latencies latencies) {
        double perSecond() {
            return operations / seconds;
        }

        double p50() {
            return latencies.percentileMs(50);
        }

        double p99() {
            return latencies.percentileMs(99);
        }
    }

    private ClosedLoop() {
    }

    static Result run(int concurrency, long count, double seconds, Operation operation) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<Latencies> perThread = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = seconds > 0 ? start + (long) (seconds * 1e9) : Long.MAX_VALUE;
        for (int t = 0; t < concurrency; t++) {
            Latencies latencies = new Latencies();
            perThread.add(latencies);
            Thread thread = new Thread(() -> {
                while (true) {
                    long i = next.getAndIncrement();
                    if (i >= count || System.nanoTime() >= deadline) {
                        return;
                    }
                    long begin = System.nanoTime();
                    boolean ok;
                    try {
                        ok = operation.run(i);
                    } catch (Exception e) {
                        ok = false;
                    }
                    latencies.add(System.nanoTime() - begin);
                    if (!ok && failures.incrementAndGet() <= 3) {
                        System.err.println("bench: operation " + i + " did not get the expected answer");
                    }
                }
            }, "load-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Latencies all = Latencies.merge(perThread);
        return new Result(all.size(), failures.get(), elapsed, all);
    }
}
