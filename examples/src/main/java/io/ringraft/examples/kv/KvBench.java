package io.ringraft.examples.kv;

import io.ringraft.api.client.ClientException;
import io.ringraft.api.client.Consistency;
import io.ringraft.api.client.GroupClient;
import io.ringraft.api.client.LoadBalancer;
import io.ringraft.api.client.RaftClient;
import io.ringraft.api.client.Replica;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code bench} subcommand: drives a running KV cluster through a {@code RaftClient} for a while,
 * writes with {@code ask} (SET of a random key) and reads with {@code askOne} (GET, linearizable, spread
 * round robin over the followers, or over every replica with {@code --reads-on all}, or the leader only with
 * {@code --reads-on leader}), each of {@code --concurrency} callers issuing its next operation when the last one
 * answered, then prints ops/s and p50/p99 per kind. Runs on the caller's thread; the client's one I/O
 * thread does the rest.
 */
final class KvBench {

    /** The bench's options. */
    record Options(String seeds, String clusterId, int seconds, int concurrency, long group, int readPercent,
                   int valueBytes, int keys, String readsOn, int groups, Consistency consistency, int xferPercent,
                   int accounts) {
    }

    /** Each account's opening balance in the bank workload ({@code --xfer-percent}). */
    static final long OPENING_BALANCE = 1_000;

    private final Options options;
    private final LatencyHistogram writes = new LatencyHistogram();
    private final LatencyHistogram reads = new LatencyHistogram();
    private final LatencyHistogram transfers = new LatencyHistogram();
    /** Transfers answered 1 (debited; credited through the outbox) and 0 (balance short). */
    private final AtomicLong debited = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong lastError = new AtomicLong();
    private volatile String lastErrorText = "";

    private KvBench(Options options) {
        this.options = options;
    }

    static Options parse(String[] args) {
        Map<String, String> values = new java.util.HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
            }
            values.put(args[i], args[i + 1]);
        }
        List<String> known = List.of("--seeds", "--cluster-id", "--seconds", "--concurrency", "--group", "--read-percent",
                "--value-bytes", "--keys", "--reads-on", "--groups",
                "--consistency", "--xfer-percent", "--accounts");
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option " + key);
            }
        }
        String seeds = values.get("--seeds");
        if (seeds == null) {
            throw new IllegalArgumentException("bench needs --seeds ID=HOST:PORT,...");
        }
        String readsOn = values.getOrDefault("--reads-on", "followers");
        if (!List.of("followers", "all", "leader").contains(readsOn)) {
            throw new IllegalArgumentException("--reads-on must be followers, all or leader, got " + readsOn);
        }
        Options options = new Options(seeds, values.getOrDefault("--cluster-id", KvCluster.CLUSTER_ID),
                positive(values.getOrDefault("--seconds", "10"), "--seconds"),
                positive(values.getOrDefault("--concurrency", "32"), "--concurrency"),
                positive(values.getOrDefault("--group", "1"), "--group"),
                Integer.parseInt(values.getOrDefault("--read-percent", "50")),
                positive(values.getOrDefault("--value-bytes", "100"), "--value-bytes"),
                positive(values.getOrDefault("--keys", "10000"), "--keys"), readsOn,
                positive(values.getOrDefault("--groups", "1"), "--groups"),
                consistency(values.getOrDefault("--consistency", "linearizable")),
                Integer.parseInt(values.getOrDefault("--xfer-percent", "0")),
                positive(values.getOrDefault("--accounts", "100"), "--accounts"));
        if (options.groups() > KvHost.MAX_GROUPS) {
            throw new IllegalArgumentException("--groups must be at most " + KvHost.MAX_GROUPS + ", got " + options.groups());
        }
        if (options.readPercent() < 0 || options.readPercent() > 100) {
            throw new IllegalArgumentException("--read-percent must be in 0..100, got " + options.readPercent());
        }
        if (options.xferPercent() < 0 || options.xferPercent() > 100) {
            throw new IllegalArgumentException("--xfer-percent must be in 0..100, got " + options.xferPercent());
        }
        if (options.xferPercent() > 0 && options.accounts() < 2) {
            throw new IllegalArgumentException("--xfer-percent needs --accounts of at least 2");
        }
        if (options.xferPercent() > 0 && options.groups() < 2) {
            throw new IllegalArgumentException("--xfer-percent needs --groups above 1 (XFER moves credits between"
                    + " groups through their outboxes)");
        }
        return options;
    }

    /** {@code linearizable}, {@code any}, or {@code <T>ms} (bounded staleness by time). */
    private static Consistency consistency(String value) {
        if (value.equals("linearizable")) {
            return Consistency.LINEARIZABLE;
        }
        if (value.equals("any")) {
            return Consistency.ANY;
        }
        if (value.endsWith("ms")) {
            try {
                return Consistency.boundedStaleness(Duration.ofMillis(Long.parseLong(value.substring(0,
                        value.length() - 2))));
            } catch (IllegalArgumentException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("--consistency must be linearizable, any or <T>ms, got " + value);
    }

    private static int positive(String value, String what) {
        int parsed = Integer.parseInt(value);
        if (parsed < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
        return parsed;
    }

    /** Runs the bench; returns the exit status: 0, or 1 if no operation succeeded. */
    static int run(Options options, PrintStream out) throws InterruptedException {
        return new KvBench(options).run(out);
    }

    /** The balancer of {@code group}'s reads: on its followers, on every replica, or on its leader. */
    private LoadBalancer placement(GroupClient[] group) {
        LoadBalancer roundRobin = LoadBalancer.roundRobin();
        return candidates -> {
            long leader = group[0].knownLeader();
            if (options.readsOn().equals("all") || leader == 0) {
                return roundRobin.choose(candidates);
            }
            List<Replica> chosen = candidates.stream().filter(replica -> options.readsOn().equals("leader")
                    == (replica.nodeId() == leader)).toList();
            return roundRobin.choose(chosen.isEmpty() ? candidates : chosen);
        };
    }

    private int run(PrintStream out) throws InterruptedException {
        try (RaftClient client = RaftClient.builder().seeds(options.seeds()).clusterId(options.clusterId())
                .maxInFlight(Math.max(options.concurrency(), 1) * 2).build()) {
            // with --groups N the keys are hashed over groups 1..N as the KV nodes do (KeyGroups); else --group
            GroupClient[] groups = new GroupClient[options.groups()];
            for (int g = 0; g < groups.length; g++) {
                GroupClient[] handle = {client.group(options.groups() > 1 ? g + 1 : options.group())};
                groups[g] = handle[0].withBalancer(placement(handle));
            }
            out.printf("bench: %d s against %s, %s, concurrency %d, %d%% reads (%s, on %s)%n",
                    options.seconds(), options.seeds(), options.groups() > 1 ? "groups 1.." + options.groups()
                    + " (keys hashed)" : "group " + options.group(), options.concurrency(), options.readPercent(),
                    describe(options.consistency()), options.readsOn());
            try { // warm-up, not timed: find the leaders, open the sessions, connect to every replica
                byte[] key = "bench:warmup".getBytes(StandardCharsets.UTF_8);
                for (GroupClient group : groups) {
                    group.ask(KvCodec.set(key, new byte[1], 0), Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
                    group.askAll(KvCodec.get(key), Duration.ofSeconds(5)).get(60, TimeUnit.SECONDS);
                }
                if (options.xferPercent() > 0) { // the bank: open every account, exactly once (sessions)
                    for (int a = 0; a < options.accounts(); a++) {
                        byte[] account = account(a);
                        groupOf(groups, account).ask(KvCodec.set(account,
                                Long.toString(OPENING_BALANCE).getBytes(StandardCharsets.UTF_8), 0),
                                Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
                    }
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                out.println("bench: the cluster did not take a write within 30 s: " + e.getMessage());
                return 1;
            }
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(options.seconds());
            CountDownLatch done = new CountDownLatch(options.concurrency());
            for (int i = 0; i < options.concurrency(); i++) {
                next(groups, deadline, done);
            }
            if (!done.await(options.seconds() + 60L, TimeUnit.SECONDS)) {
                out.println("bench: operations still running a minute after the end");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            print(out, "writes (ask)", writes, seconds);
            print(out, "reads (askOne)", reads, seconds);
            long total = writes.count() + reads.count();
            boolean conserved = true;
            if (options.xferPercent() > 0) {
                print(out, "XFER (ask)", transfers, seconds);
                out.printf("transfers: %d debited (:1), %d refused for a short balance (:0)%n", debited.get(),
                        refused.get());
                conserved = moneyConserved(groups, out);
                total += transfers.count();
            }
            out.printf("%-16s %8d ops  %10.1f ops/s%n", "total", total, total / seconds);
            out.printf("errors %d%s%n", errors.get(), errors.get() == 0 ? "" : " (last: " + lastErrorText + ")");
            return total > 0 && conserved ? 0 : 1;
        }
    }

    /** The bank's account {@code a}: an integer key. */
    private static byte[] account(int a) {
        return ("acct:" + a).getBytes(StandardCharsets.UTF_8);
    }

    /** A balance from the RESP answer to {@code GET} ({@link KvClientResults}): {@code $-1} is 0. */
    static long balance(byte[] answer) {
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        if (text.startsWith("$-1")) {
            return 0;
        }
        int body = text.indexOf("\r\n");
        if (!text.startsWith("$") || body < 0) {
            throw new IllegalStateException("GET answered " + text.trim());
        }
        return Long.parseLong(text.substring(body + 2, text.length() - 2));
    }

    private static GroupClient groupOf(GroupClient[] groups, byte[] key) {
        return groups.length == 1 ? groups[0] : groups[KeyGroups.groupOf(key, groups.length) - 1];
    }

    /**
     * Once the outboxes drained, the accounts must hold what they opened with: every debit was credited
     * exactly once. Reads every balance (linearizable) until the sum matches, for at most 30 s (credits
     * still in an outbox are in flight, not lost).
     */
    private boolean moneyConserved(GroupClient[] groups, PrintStream out) {
        long expected = OPENING_BALANCE * options.accounts();
        long sum = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            sum = 0;
            try {
                for (int a = 0; a < options.accounts(); a++) {
                    byte[] account = account(a);
                    byte[] value = groupOf(groups, account).askOne(KvCodec.get(account), Consistency.LINEARIZABLE,
                            Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
                    sum += balance(value);
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                sum = -1; // a read failed: read them all again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (sum == expected) {
                out.printf("money conserved: the %d accounts hold %d, as opened%n", options.accounts(), sum);
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        out.printf("MONEY NOT CONSERVED: the %d accounts hold %d, opened with %d%n", options.accounts(), sum, expected);
        return false;
    }

    private static String describe(Consistency consistency) {
        return switch (consistency.level()) {
            case LINEARIZABLE -> "linearizable";
            case ANY -> "any";
            case BOUNDED_TIME -> "within " + consistency.maxLagMillis() + " ms of the leader's commit";
            case BOUNDED_STALENESS -> "within " + consistency.maxLagEntries() + " entries";
        };
    }

    private void next(GroupClient[] groups, long deadline, CountDownLatch done) {
        if (System.nanoTime() - deadline >= 0) {
            done.countDown();
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long began = System.nanoTime();
        if (random.nextInt(100) < options.xferPercent()) {
            int from = random.nextInt(options.accounts());
            int to = (from + 1 + random.nextInt(options.accounts() - 1)) % options.accounts();
            byte[] src = account(from);
            groupOf(groups, src).ask(KvCodec.xfer(src, account(to), 1), Duration.ofSeconds(10))
                    .whenComplete((result, error) -> {
                        String answer = result == null ? "" : new String(result, StandardCharsets.ISO_8859_1);
                        if (error == null && (answer.startsWith(":1") || answer.startsWith(":0"))) {
                            transfers.record(System.nanoTime() - began);
                            (answer.startsWith(":1") ? debited : refused).incrementAndGet();
                        } else if (error == null) {
                            failed(new IllegalStateException("XFER answered " + answer.trim()));
                        } else {
                            failed(error);
                        }
                        next(groups, deadline, done);
                    });
            return;
        }
        byte[] key = ("key:" + random.nextInt(options.keys())).getBytes(StandardCharsets.UTF_8);
        GroupClient group = groupOf(groups, key);
        boolean read = random.nextInt(100) < options.readPercent();
        java.util.concurrent.CompletableFuture<byte[]> op;
        if (read) {
            op = group.askOne(KvCodec.get(key), options.consistency(), Duration.ofSeconds(10));
        } else {
            byte[] value = new byte[options.valueBytes()];
            random.nextBytes(value);
            op = group.ask(KvCodec.set(key, value, 0), Duration.ofSeconds(10));
        }
        op.whenComplete((result, error) -> {
            if (error == null) {
                (read ? reads : writes).record(System.nanoTime() - began);
            } else {
                failed(error);
            }
            next(groups, deadline, done);
        });
    }

    private void failed(Throwable error) {
        errors.incrementAndGet();
        Throwable cause = error.getCause() instanceof ClientException client ? client : error;
        lastErrorText = cause.getMessage();
        lastError.set(System.nanoTime());
    }

    private static void print(PrintStream out, String what, LatencyHistogram histogram, double seconds) {
        out.printf("%-16s %8d ops  %10.1f ops/s  p50 %7.2f ms  p99 %7.2f ms%n", what, histogram.count(),
                histogram.count() / seconds, histogram.percentile(50) / 1e6, histogram.percentile(99) / 1e6);
    }
}
