package io.marketetl.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a run cost: this process's CPU (from the JVM), the CPU of every PostgreSQL server process (from /proc: all
 * databases, so other users of the server show up too), the machine's busy share (/proc/stat: other builds on this
 * shared box show up there), and the peak heap in use (sampled every 10 ms). Optionally the CPU of other processes
 * by pid (from /proc: the application and the simulator in their own JVMs).
 */
final class ResourceSampler implements AutoCloseable {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final long startNanos = System.nanoTime();
    private final long startProcessCpu = os.getProcessCpuTime();
    private final long startPostgresTicks = postgresTicks();
    private final long[] startMachine = machineTicks();
    private final long[] pids;
    private final long[] startPidTicks;
    private long[] endPidTicks;
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long peakHeap;

    private long endNanos;
    private long endProcessCpu;
    private long endPostgresTicks;
    private long[] endMachine;

    /** @param pids other processes whose CPU to measure too ({@link #processCpuPercent(long)}) */
    ResourceSampler(long... pids) {
        this.pids = pids.clone();
        this.startPidTicks = pidTicks(this.pids);
        peakHeap = memory.getHeapMemoryUsage().getUsed();
        sampler = new Thread(() -> {
            while (running) {
                long used = memory.getHeapMemoryUsage().getUsed();
                if (used > peakHeap) {
                    peakHeap = used;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Ends the measurement window. */
    void stop() {
        if (!running) {
            return;
        }
        running = false;
        endNanos = System.nanoTime();
        endProcessCpu = os.getProcessCpuTime();
        endPostgresTicks = postgresTicks();
        endMachine = machineTicks();
        endPidTicks = pidTicks(pids);
    }

    double seconds() {
        return (endNanos - startNanos) / 1e9;
    }

    /** This JVM's CPU as a percentage of one core. */
    double processCpuPercent() {
        return 100.0 * (endProcessCpu - startProcessCpu) / (endNanos - startNanos);
    }

    /** The CPU of process {@code pid} (one given to the constructor) as a percentage of one core; -1 when unknown. */
    double processCpuPercent(long pid) {
        for (int i = 0; i < pids.length; i++) {
            if (pids[i] == pid) {
                if (startPidTicks[i] < 0 || endPidTicks == null || endPidTicks[i] < 0) {
                    return -1;
                }
                return 100.0 * (endPidTicks[i] - startPidTicks[i]) / TICKS_PER_SECOND / seconds();
            }
        }
        throw new IllegalArgumentException("pid " + pid + " is not measured");
    }

    /** All PostgreSQL server processes' CPU as a percentage of one core (-1 when /proc is not readable). */
    double postgresCpuPercent() {
        if (startPostgresTicks < 0 || endPostgresTicks < 0) {
            return -1;
        }
        return 100.0 * (endPostgresTicks - startPostgresTicks) / TICKS_PER_SECOND / seconds();
    }

    /** The whole machine's busy share, percent of all its cores (-1 when unknown). */
    double machineBusyPercent() {
        if (startMachine == null || endMachine == null) {
            return -1;
        }
        long total = endMachine[0] - startMachine[0];
        long idle = endMachine[1] - startMachine[1];
        return total <= 0 ? -1 : 100.0 * (total - idle) / total;
    }

    double peakHeapMb() {
        return peakHeap / (1024.0 * 1024.0);
    }

    @Override
    public void close() {
        stop();
        sampler.interrupt();
    }

    /**
     * CPU clock ticks of the PostgreSQL server: utime + stime of every postgres process, plus cutime + cstime (the
     * postmaster's reaped children: backends that exited during the window, such as psql's).
     */
    static long postgresTicks() {
        long sum = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (!stat.substring(open + 1, close).startsWith("postgres")) {
                        continue;
                    }
                    String[] f = stat.substring(close + 2).split(" ");
                    // utime, stime, and cutime, cstime: the postmaster collects its exited backends' time there
                    sum += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                            + Long.parseLong(f[14]);
                } catch (IOException | RuntimeException gone) {
                    // the process ended meanwhile
                }
            }
            return sum;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long[] pidTicks(long[] pids) {
        long[] t = new long[pids.length];
        for (int i = 0; i < pids.length; i++) {
            t[i] = processTicks(pids[i]);
        }
        return t;
    }

    /** CPU clock ticks (utime + stime, all threads) of one process; -1 when it is gone or /proc is not readable. */
    static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {total, idle} jiffies of the machine, from the first line of /proc/stat. */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total, idle};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
