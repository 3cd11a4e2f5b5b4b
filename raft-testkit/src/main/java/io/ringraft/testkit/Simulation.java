package io.ringraft.testkit;

import io.ringraft.api.RaftConfig;
import io.ringraft.spi.StateMachine;
import io.ringraft.testkit.linearizability.LinearizabilityChecker;
import io.ringraft.testkit.linearizability.Operation;
import io.ringraft.testkit.sim.ClusterSimulation;
import io.ringraft.testkit.sim.SimOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deterministic simulator as a test fixture for a user's own {@link StateMachine}: it runs the real
 * RingRaft runtime of every node (the same code as in production, stepped one task at a time on one
 * thread, in an order drawn from a seed) with virtual time, a simulated network and simulated disks,
 * injects faults ({@link Nemesis}), and has clients make the user's operations ({@link Workload}).
 *
 * <pre>{@code
 * Simulation.builder()
 *         .stateMachine(Ledger::new)
 *         .workload(LedgerWorkload::new)
 *         .model(new LedgerModel())
 *         .seeds(1, 50)
 *         .run()
 *         .assertNoViolation();
 * }</pre>
 *
 * <p><b>A run of one seed</b> has two phases. While the clients run, the nemesis injects the faults the
 * seed draws. Then every fault heals and crashed nodes restart. Within a bounded number of steps one
 * leader must exist, every member must apply the same log, and every client operation must resolve.
 * Raft's safety invariants are checked after every step and on every message. At the end, every
 * acknowledged write must be in every member's state. The clients' history must also be linearizable
 * for the user's {@link Model}. If the state machine implements {@link StateDigest}, replicas are also
 * compared state for state. {@link FailureKind} lists what is checked.
 *
 * <p><b>Seeds.</b> Everything random derives from the seed, so a failing seed replays exactly (same
 * code, same seed, same run). System properties override the builder's seeds, so a build can widen a
 * search or replay one seed without editing the test: {@value #SEED_PROPERTY} runs that one seed,
 * {@value #FIRST_SEED_PROPERTY} and {@value #SEEDS_PROPERTY} set the first seed and how many.
 *
 * <p><b>Threads.</b> {@link Builder#run()} runs on the calling thread and blocks until every seed ran or
 * one failed; it starts no thread. The state machine, workload and model are called on that thread only.
 * A seed takes well under a second with the default steps (docs/testing.md). Separate builders may run on separate
 * threads at once.
 */
public final class Simulation {

    /** System property: run only this seed (what a failure's replay command sets). */
    public static final String SEED_PROPERTY = "ringraft.testkit.seed";
    /** System property: how many seeds to run, overriding {@link Builder#seeds}. */
    public static final String SEEDS_PROPERTY = "ringraft.testkit.seeds";
    /** System property: the first seed to run, overriding {@link Builder#seeds}. */
    public static final String FIRST_SEED_PROPERTY = "ringraft.testkit.firstSeed";

    private static final Logger LOG = LoggerFactory.getLogger(Simulation.class);
    private static final int HISTORY_EXCERPT = 20;

    private Simulation() {
    }

    /**
     * Starts configuring a simulation. Set at least the state machine, the workload and the model.
     *
     * @return a builder; its operation and output types come from {@link Builder#workload}
     */
    public static Builder<Void, Void> builder() {
        Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
        String name = caller.getName();
        int nested = name.indexOf('$');
        return new Builder<>(nested < 0 ? name : name.substring(0, nested));
    }

    /**
     * Configures and runs a {@link Simulation}. Not thread-safe: configure and run it on one thread.
     *
     * @param <I> the operation type of the workload and the model
     * @param <O> the output type of the workload and the model
     */
    public static final class Builder<I, O> {

        private final String testClass;
        private LongFunction<? extends StateMachine> machines;
        private Supplier<? extends Workload<I, O>> workloads;
        private Model<?, I, O> model;
        private Partitioner<I> partitioner = Partitioner.single();
        private long stepBudget = LinearizabilityChecker.DEFAULT_STEP_BUDGET;
        private int nodes = 3;
        private int clients = 3;
        private int chaosSteps = 6_000;
        private int healSteps = 12_000;
        private Nemesis nemesis = Nemesis.all();
        private boolean streaming = true;
        private boolean snapshots = true;
        private RaftConfig config;
        private long firstSeed = 1;
        private int seedCount = 100;
        private boolean stopAtFirstFailure = true;

        private Builder(String testClass) {
            this.testClass = testClass;
        }

        /**
         * The state machine under test. The supplier is called for every node incarnation (at start and
         * after every crash or restart), and must return a new instance each time; what the instance held
         * is lost with the node, and it recovers from its snapshot and log like a real node.
         *
         * @param factory makes a new, empty state machine
         * @return this builder
         */
        public Builder<I, O> stateMachine(Supplier<? extends StateMachine> factory) {
            Objects.requireNonNull(factory, "factory");
            return stateMachinePerNode(id -> factory.get());
        }

        /**
         * The state machine under test, made per node (for example, to make one node's machine differ).
         * Called for every node incarnation; must return a new instance each time.
         *
         * @param factory makes a new, empty state machine for the node with the id given (1, 2, ...)
         * @return this builder
         */
        public Builder<I, O> stateMachinePerNode(LongFunction<? extends StateMachine> factory) {
            this.machines = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * What the clients ask. The supplier is called once per seed. Set the workload before the model:
         * it fixes the builder's operation and output types.
         *
         * @param factory makes the workload of one seed
         * @param <I2>    the workload's operation type
         * @param <O2>    the workload's output type
         * @return this builder, typed by the workload
         */
        @SuppressWarnings("unchecked")
        public <I2, O2> Builder<I2, O2> workload(Supplier<? extends Workload<I2, O2>> factory) {
            Builder<I2, O2> typed = (Builder<I2, O2>) this;
            typed.workloads = Objects.requireNonNull(factory, "factory");
            typed.model = null;
            typed.partitioner = Partitioner.single();
            return typed;
        }

        /**
         * The sequential specification the clients' history is judged against (see {@link Model}).
         *
         * @param model pure and deterministic, with immutable states of value equality
         * @return this builder
         */
        public Builder<I, O> model(Model<?, I, O> model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * Splits the history into parts checked independently, for example by key: linearizability is
         * local, so a model of one key judges each key's operations alone, which keeps the search small.
         * Default: one part.
         *
         * @param partitioner maps an operation to its part's key (non-null, with value equality)
         * @return this builder
         */
        public Builder<I, O> partitionBy(Partitioner<I> partitioner) {
            this.partitioner = Objects.requireNonNull(partitioner, "partitioner");
            return this;
        }

        /**
         * The linearizability search's budget per part, in steps; a part that needs more is reported
         * as {@link FailureKind#LINEARIZABILITY} with outcome UNKNOWN. Default 2,000,000.
         *
         * @param steps positive
         * @return this builder
         * @throws IllegalArgumentException if {@code steps} is not positive
         */
        public Builder<I, O> checkerStepBudget(long steps) {
            if (steps <= 0) {
                throw new IllegalArgumentException("the step budget must be positive: " + steps);
            }
            this.stepBudget = steps;
            return this;
        }

        /**
         * The cluster's voters. Default 3.
         *
         * @param count 1 to 9
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder<I, O> nodes(int count) {
            if (count < 1 || count > 9) {
                throw new IllegalArgumentException("nodes must be 1..9: " + count);
            }
            this.nodes = count;
            return this;
        }

        /**
         * Concurrent clients, each with one operation outstanding at a time. Default 3. More clients
         * mean more concurrency and a costlier linearizability search.
         *
         * @param count 1 to 32
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder<I, O> clients(int count) {
            if (count < 1 || count > 32) {
                throw new IllegalArgumentException("clients must be 1..32: " + count);
            }
            this.clients = count;
            return this;
        }

        /**
         * How long a seed runs: steps with faults and client load (default 6,000, about 2 s of virtual
         * time), then at most {@code healSteps} without faults for the cluster to converge (default 12,000).
         *
         * @param chaosSteps steps with faults, at least 1
         * @param healSteps  most steps to converge after the faults stop, at least 1,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder<I, O> steps(int chaosSteps, int healSteps) {
            if (chaosSteps < 1 || healSteps < 1_000) {
                throw new IllegalArgumentException("chaos steps must be >= 1 and heal steps >= 1000: " + chaosSteps
                        + ", " + healSteps);
            }
            this.chaosSteps = chaosSteps;
            this.healSteps = healSteps;
            return this;
        }

        /**
         * The faults allowed. Default {@link Nemesis#all()}.
         *
         * @param nemesis the faults
         * @return this builder
         */
        public Builder<I, O> nemesis(Nemesis nemesis) {
            this.nemesis = Objects.requireNonNull(nemesis, "nemesis");
            return this;
        }

        /**
         * Whether half of the seeds (drawn per seed) run most node incarnations with the state machine
         * behind a streaming adapter (RingRaft's {@code StreamingStateMachine} path: commands applied one
         * at a time, late and in bursts, progress reported later still). Default true.
         *
         * @param enabled whether to use the streaming path on some seeds
         * @return this builder
         */
        public Builder<I, O> streaming(boolean enabled) {
            this.streaming = enabled;
            return this;
        }

        /**
         * Whether nodes snapshot their state machine (every 48 entries) and compact their logs, so that
         * lagging and restarted nodes restore snapshots. Default true; a state machine without
         * {@code snapshot}/{@code restore} needs false.
         *
         * @param enabled whether snapshots are taken
         * @return this builder
         */
        public Builder<I, O> snapshots(boolean enabled) {
            this.snapshots = enabled;
            return this;
        }

        /**
         * The nodes' configuration, replacing the simulator's small one (a 64-entry ring, small
         * windows and queues, so back-pressure and wrap-around happen in short runs; 150 ms election
         * timeout). For experts: large rings and windows make runs slower and faults rarer.
         *
         * @param config the configuration of every node; its snapshot policy wins over {@link #snapshots}
         * @return this builder
         */
        public Builder<I, O> config(RaftConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The seeds to run: {@code first}, {@code first + 1}, ... Default 1 and 100. The system
         * properties in {@link Simulation} override them.
         *
         * @param first the first seed
         * @param count how many, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code count < 1}
         */
        public Builder<I, O> seeds(long first, int count) {
            if (count < 1) {
                throw new IllegalArgumentException("count must be positive: " + count);
            }
            this.firstSeed = first;
            this.seedCount = count;
            return this;
        }

        /**
         * Whether to go on with the next seeds after a failing one (default: stop at the first failure).
         *
         * @param keepGoing true to run every seed and collect every failure
         * @return this builder
         */
        public Builder<I, O> keepGoingAfterFailure(boolean keepGoing) {
            this.stopAtFirstFailure = !keepGoing;
            return this;
        }

        /**
         * Runs the seeds on this thread, blocking until they ran or one failed.
         *
         * @return the seeds run and the failures found
         * @throws IllegalStateException    if the state machine, workload or model is missing
         * @throws IllegalArgumentException if a seed system property is not a number
         */
        public SimulationResult run() {
            if (machines == null || workloads == null || model == null) {
                throw new IllegalStateException("set the state machine, the workload and the model before run()");
            }
            long first = firstSeed;
            int count = seedCount;
            Long one = longProperty(SEED_PROPERTY);
            if (one != null) {
                first = one;
                count = 1;
            } else {
                Long from = longProperty(FIRST_SEED_PROPERTY);
                Long many = longProperty(SEEDS_PROPERTY);
                first = from != null ? from : first;
                count = many != null ? Math.toIntExact(many) : count;
            }
            LinearizabilityChecker<?, I, O> checker = checker(model, partitioner, stepBudget);
            SimOptions options = options();
            List<SeedRun> runs = new ArrayList<>();
            List<SimulationFailure> failures = new ArrayList<>();
            for (long seed = first; seed < first + count; seed++) {
                SimulationFailure failure = runSeed(seed, options, checker, runs);
                if (failure != null) {
                    LOG.warn("simulation seed {} failed: {}", seed, failure.report());
                    failures.add(failure);
                    if (stopAtFirstFailure) {
                        break;
                    }
                }
            }
            SimulationResult result = new SimulationResult(runs, failures);
            LOG.info("simulation of {}: {}", testClass, result);
            return result;
        }

        private SimulationFailure runSeed(long seed, SimOptions options, LinearizabilityChecker<?, I, O> checker,
                                          List<SeedRun> runs) {
            ClusterSimulation<I, O> sim = null;
            try {
                sim = new ClusterSimulation<>(seed, options, freshMachines(), workloads.get(), checker);
                sim.run();
                long[] ops = sim.operationCounts();
                runs.add(new SeedRun(seed, true, sim.steps(), sim.traceHash(), ops[0], ops[1], ops[2]));
                return null;
            } catch (AssertionError | RuntimeException e) {
                Throwable check = e;
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (FailureKind.of(t.getMessage()) != FailureKind.OTHER) {
                        check = t;
                        break;
                    }
                }
                String message = check == e ? String.valueOf(e.getMessage())
                        : e.getMessage() + ": " + check.getMessage();
                long[] ops = sim == null ? new long[3] : sim.operationCounts();
                runs.add(new SeedRun(seed, false, sim == null ? 0 : sim.steps(), sim == null ? 0 : sim.traceHash(),
                        ops[0], ops[1], ops[2]));
                return new SimulationFailure(seed, FailureKind.of(check.getMessage()), message,
                        sim == null ? "" : excerpt(sim.historyTail(HISTORY_EXCERPT)),
                        sim == null ? List.of() : sim.recentEvents(), replayCommand(seed), e);
            }
        }

        /** The user's factory, checked to make a new instance per call within one seed. */
        private LongFunction<StateMachine> freshMachines() {
            Set<StateMachine> made = Collections.newSetFromMap(new IdentityHashMap<>());
            return id -> {
                StateMachine machine = machines.apply(id);
                if (machine == null || !made.add(machine)) {
                    throw new IllegalStateException("the state machine factory must return a new instance per call;"
                            + " it returned " + (machine == null ? "null" : "the same instance twice"));
                }
                return machine;
            };
        }

        private SimOptions options() {
            RaftConfig nodeConfig = config != null ? config
                    : snapshots ? SimOptions.smallConfig() : SimOptions.smallConfigWithoutSnapshots();
            return new SimOptions(nodes, chaosSteps, healSteps, clients, 1, nemesis.partitions(), nemesis.crashes(),
                    nemesis.pauses(), nemesis.lossyNetwork(), nemesis.diskFaults(), nemesis.leadershipTransfers(),
                    nodeConfig, nemesis.spareNodes(), streaming);
        }

        private String replayCommand(long seed) {
            String simpleName = testClass.substring(testClass.lastIndexOf('.') + 1);
            return "mvn test -Dtest=" + simpleName + " -D" + SEED_PROPERTY + "=" + seed
                    + "   (or .seeds(" + seed + "L, 1) on the builder)";
        }

        private static <S, I, O> LinearizabilityChecker<S, I, O> checker(Model<S, I, O> model,
                                                                        Partitioner<I> partitioner, long budget) {
            return LinearizabilityChecker.builder(model).partitioner(partitioner).stepBudget(budget).build();
        }

        private static Long longProperty(String name) {
            String value = System.getProperty(name);
            if (value == null || value.isBlank()) {
                return null;
            }
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("system property " + name + " is not a number: " + value, e);
            }
        }

        private static <I, O> String excerpt(List<Operation<I, O>> operations) {
            StringBuilder s = new StringBuilder();
            for (Operation<I, O> op : operations) {
                s.append("  client ").append(op.clientId()).append(": ").append(op.input()).append(" -> ")
                        .append(op.isUnknown() ? "unknown" : String.valueOf(op.output()))
                        .append("  [").append(op.call()).append(", ")
                        .append(op.isUnknown() ? "?" : String.valueOf(op.ret())).append("]\n");
            }
            return s.toString();
        }
    }
}
