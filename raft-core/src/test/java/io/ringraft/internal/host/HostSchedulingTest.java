package io.ringraft.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.internal.runtime.WriteFlushCycle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

/**
 * The host threads' duty cycles, stepped by hand on the test thread: fair rounds, ticks only for groups
 * that want them, writes before flushes, failures kept to their group, and a stop that waits.
 */
class HostSchedulingTest {

    private static final long TICK = 10_000_000L;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final HostWorker worker = new HostWorker("w", 64, clock::get, TICK);
    private final IoWorker io = new IoWorker("io", 64);
    private final List<String> ioLog = new ArrayList<>();

    /** A task that has {@code work} units of work, one per duty cycle, and counts its cycles. */
    static class Task implements Agent {
        final String name;
        long work;
        int runs;

        Task(String name, long work) {
            this.name = name;
            this.work = work;
        }

        @Override
        public int doWork() {
            runs++;
            if (work > 0) {
                work--;
                return 1;
            }
            return 0;
        }

        @Override
        public String roleName() {
            return name;
        }
    }

    /** A log writer that records its halves in {@link #ioLog}. */
    final class Writer implements WriteFlushCycle {
        final String name;
        int pending;

        Writer(String name, int pending) {
            this.name = name;
            this.pending = pending;
        }

        @Override
        public int write() {
            if (pending == 0) {
                return 0;
            }
            pending--;
            ioLog.add("write " + name);
            return 1;
        }

        @Override
        public void finishFlush() {
            ioLog.add("flush " + name);
        }

        @Override
        public int doWork() {
            int work = write();
            finishFlush();
            return work;
        }

        @Override
        public String roleName() {
            return name;
        }
    }

    private GroupSlot group(long id, Agent cpu, WriteFlushCycle writer, List<Throwable> failures) {
        worker.reserve();
        io.reserve();
        GroupSlot slot = new GroupSlot(id, worker, io, () -> { });
        slot.start(List.of(cpu), writer, null, failures::add, null);
        return slot;
    }

    @Test
    void aBusyGroupGetsOneTurnPerRoundAndCannotStarveTheOthers() {
        // A group that always has work: run until it has none, it would take 1,000,000 cycles.
        Task busy = new Task("busy", 1_000_000);
        Task quiet = new Task("quiet", 0);
        List<Throwable> failures = new ArrayList<>();
        group(1, busy, new Writer("a", 0), failures);
        GroupSlot quietSlot = group(2, quiet, new Writer("b", 0), failures);
        for (int round = 1; round <= 100; round++) {
            quietSlot.cpuSignal().wake(); // a message for the quiet group
            worker.doWork();
            assertThat(quiet.runs).as("the quiet group runs in the round it was woken").isEqualTo(round);
            assertThat(busy.runs).as("the busy group gets one turn per round: its passes, no more")
                    .isEqualTo(round * GroupSlot.PASSES_PER_TURN);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aTickRunsAGroupOnlyWhenItsNextTickThatMayActIsDue() {
        Task task = new Task("follower", 0);
        AtomicLong idle = new AtomicLong(5 * TICK); // e.g. a follower: nothing may act for 5 ticks
        List<Throwable> failures = new ArrayList<>();
        worker.reserve();
        io.reserve();
        GroupSlot slot = new GroupSlot(1, worker, io, () -> { });
        slot.start(List.of(task), new Writer("a", 0), null, failures::add, idle::get);
        worker.doWork(); // its first turn: it joins the tick set
        int runs = task.runs;
        for (int tick = 1; tick <= 4; tick++) {
            clock.addAndGet(TICK);
            idle.addAndGet(-TICK);
            worker.doWork();
            if (idle.get() > TICK) {
                assertThat(task.runs).as("tick %d only counts: the group is not run", tick).isEqualTo(runs);
            }
        }
        assertThat(idle.get()).isEqualTo(TICK);
        assertThat(task.runs).as("run at the tick before its acting tick is due").isEqualTo(runs + 1);
        // Still in the tick set: a group that keeps needing ticks every tick is run at every tick.
        idle.set(0);
        for (int tick = 1; tick <= 3; tick++) {
            clock.addAndGet(TICK);
            worker.doWork();
        }
        assertThat(task.runs).isEqualTo(runs + 4);
        assertThat(failures).isEmpty();
    }

    @Test
    void aGroupThatRanOutOfWorkInItsTurnIsNotQueuedAgain() {
        // Two units of work, one per cycle: the turn's passes take both, a third finds none.
        Task task = new Task("t", 2);
        List<Throwable> failures = new ArrayList<>();
        group(1, task, new Writer("a", 0), failures);
        worker.doWork();
        assertThat(task.work).isZero();
        worker.doWork();
        int runs = task.runs;
        assertThat(worker.doWork()).as("nothing queued: the group is not run again").isZero();
        assertThat(task.runs).isEqualTo(runs);

        // One unit: the first pass does it, the second (at once, in the same turn) finds nothing, and the
        // group is not queued for a later round that would find nothing either.
        Task once = new Task("once", 1);
        GroupSlot slot = group(2, once, new Writer("b", 0), failures);
        worker.doWork(); // group 2's first turn
        assertThat(once.runs).isEqualTo(2);
        assertThat(worker.doWork()).isZero();
        assertThat(once.runs).as("no empty turn a round later").isEqualTo(2);
        assertThat(slot.cpuQueued.get()).isFalse();
        assertThat(failures).isEmpty();
    }

    @Test
    void aWakeFromTheGroupsOwnTaskRunsItsOtherTasksInTheSameTurn() {
        List<Throwable> failures = new ArrayList<>();
        GroupSlot[] slot = new GroupSlot[1];
        // "producer" publishes once and wakes the group's signal, as the core wakes its senders; "consumer"
        // comes first in the order, so it sees the work only in the next pass.
        Task consumer = new Task("consumer", 0);
        Agent producer = new Agent() {
            boolean published;

            @Override
            public int doWork() {
                if (published) {
                    return 0;
                }
                published = true;
                consumer.work = 1;
                slot[0].cpuSignal().wake();
                return 0; // reports no work: the wake alone must bring the consumer's pass
            }

            @Override
            public String roleName() {
                return "producer";
            }
        };
        worker.reserve();
        io.reserve();
        slot[0] = new GroupSlot(1, worker, io, () -> { });
        slot[0].start(List.of(consumer, producer), new Writer("a", 0), null, failures::add, null);
        worker.doWork();
        assertThat(consumer.work).as("the consumer ran in the same turn").isZero();
        assertThat(consumer.runs).isEqualTo(GroupSlot.PASSES_PER_TURN);
        // Its last pass did work, so it runs once more a round later, finds nothing, and is done.
        worker.doWork();
        assertThat(worker.doWork()).isZero();
        assertThat(consumer.runs).isEqualTo(GroupSlot.PASSES_PER_TURN + 1);
        assertThat(failures).isEmpty();
    }

    /** A group of four CPU tasks, as a node's: core, applier, two senders; started and run until idle. */
    private GroupSlot fourTasks(Agent core, Task applier, Task sender1, Task sender2, List<Throwable> failures) {
        worker.reserve();
        io.reserve();
        GroupSlot slot = new GroupSlot(1, worker, io, () -> { });
        slot.start(List.of(core, applier, sender1, sender2), new Writer("a", 0), null, failures::add, null);
        worker.doWork(); // the start wakes every task once
        assertThat(worker.doWork()).as("idle after its first turn").isZero();
        return slot;
    }

    @Test
    void aTurnRunsOnlyTheTasksWhoseSignalWasWoken() {
        List<Throwable> failures = new ArrayList<>();
        Task core = new Task("core", 0);
        Task applier = new Task("applier", 0);
        Task sender1 = new Task("sender-1", 0);
        Task sender2 = new Task("sender-2", 0);
        GroupSlot slot = fourTasks(core, applier, sender1, sender2, failures);
        int[] before = {core.runs, applier.runs, sender1.runs, sender2.runs};

        slot.applierSignal().wake();
        worker.doWork();
        assertThat(new int[] {core.runs, applier.runs, sender1.runs, sender2.runs}).as("the applier alone")
                .containsExactly(before[0], before[1] + 1, before[2], before[3]);

        slot.senderSignal().wake();
        worker.doWork();
        assertThat(new int[] {core.runs, applier.runs, sender1.runs, sender2.runs}).as("the senders, all of them")
                .containsExactly(before[0], before[1] + 1, before[2] + 1, before[3] + 1);

        slot.cpuSignal().wake();
        worker.doWork();
        assertThat(new int[] {core.runs, applier.runs, sender1.runs, sender2.runs}).as("the core alone")
                .containsExactly(before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1);
        assertThat(worker.turns()).isEqualTo(4); // the first turn and one per wake
        assertThat(worker.taskRuns()).as("task cycles counted")
                .isEqualTo(core.runs + applier.runs + sender1.runs + sender2.runs);

        // A task that did work runs again in the next pass, woken or not (its cycle is bounded: it may have more).
        applier.work = 3;
        slot.applierSignal().wake();
        worker.doWork();
        assertThat(applier.runs).isEqualTo(before[1] + 1 + GroupSlot.PASSES_PER_TURN);
        worker.doWork();
        assertThat(applier.work).as("still busy after its turn: queued again").isZero();
        assertThat(core.runs).isEqualTo(before[0] + 1);
        assertThat(failures).isEmpty();
    }

    @Test
    void aTaskWokenByAnEarlierTaskOfItsGroupRunsInTheSamePass() {
        List<Throwable> failures = new ArrayList<>();
        List<String> order = new ArrayList<>();
        Task applier = new Task("applier", 0);
        Task sender1 = new Task("sender-1", 0) {
            @Override
            public int doWork() {
                order.add(name + (work > 0 ? " sends" : " idle"));
                return super.doWork();
            }
        };
        Task sender2 = new Task("sender-2", 0);
        GroupSlot[] slot = new GroupSlot[1];
        boolean[] publish = {false};
        Agent core = new Agent() {
            @Override
            public int doWork() {
                if (!publish[0]) {
                    order.add("core idle");
                    return 0;
                }
                publish[0] = false;
                sender1.work = 1; // as the core hands entries to its senders
                slot[0].senderSignal().wake();
                order.add("core publishes");
                return 1;
            }

            @Override
            public String roleName() {
                return "core";
            }
        };
        slot[0] = fourTasks(core, applier, sender1, sender2, failures);
        order.clear();
        int applierRuns = applier.runs;
        publish[0] = true;
        slot[0].cpuSignal().wake(); // a proposal
        worker.doWork();
        assertThat(order).as("the sender sends in the core's pass, then both look once more")
                .containsExactly("core publishes", "sender-1 sends", "core idle", "sender-1 idle");
        assertThat(applier.runs).as("the applier was not woken").isEqualTo(applierRuns);
        assertThat(worker.doWork()).as("done: not queued again").isZero();
        assertThat(failures).isEmpty();
    }

    @Test
    void aTickRunsEveryTaskOfTheGroup() {
        List<Throwable> failures = new ArrayList<>();
        Task core = new Task("core", 0);
        Task applier = new Task("applier", 0);
        Task sender1 = new Task("sender-1", 0);
        Task sender2 = new Task("sender-2", 0);
        fourTasks(core, applier, sender1, sender2, failures);
        int[] before = {core.runs, applier.runs, sender1.runs, sender2.runs};
        clock.addAndGet(TICK);
        worker.doWork();
        assertThat(new int[] {core.runs, applier.runs, sender1.runs, sender2.runs}).as("each task's timed work")
                .containsExactly(before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1);
        assertThat(failures).isEmpty();
    }

    @Test
    void theTimerSchedulesOnlyGroupsThatWantTicks() {
        Task ticking = new Task("ticking", 0);
        Task quiesced = new Task("quiesced", 0);
        List<Throwable> failures = new ArrayList<>();
        GroupSlot active = group(1, ticking, new Writer("a", 0), failures);
        GroupSlot quiet = group(2, quiesced, new Writer("b", 0), failures);
        quiet.wantsTicks(() -> false);
        worker.doWork(); // the first round: both started queued, and the first tick is due
        int tickingRuns = ticking.runs;
        int quiescedRuns = quiesced.runs;
        for (int tick = 1; tick <= 10; tick++) {
            clock.addAndGet(TICK);
            worker.doWork();
        }
        assertThat(ticking.runs - tickingRuns).isEqualTo(10);
        assertThat(quiesced.runs).isEqualTo(quiescedRuns);
        assertThat(worker.parkNanos()).isLessThanOrEqualTo(TICK);

        // When the last ticking group falls quiet, the next tick drops it: the worker then parks for its idle
        // bound, not a tick, and later ticks do not look at either group.
        active.wantsTicks(() -> false);
        clock.addAndGet(TICK);
        worker.doWork();
        assertThat(worker.parkNanos()).isEqualTo(HostWorker.IDLE_PARK_NANOS);
        int runs = ticking.runs + quiesced.runs;
        for (int tick = 1; tick <= 10; tick++) {
            clock.addAndGet(TICK);
            worker.doWork();
        }
        assertThat(ticking.runs + quiesced.runs).isEqualTo(runs);

        // A message wakes the quiet group: it runs, wants ticks again, and is ticked from then on.
        active.wantsTicks(() -> true);
        active.cpuSignal().wake();
        worker.doWork();
        assertThat(worker.parkNanos()).isLessThanOrEqualTo(TICK);
        int woken = ticking.runs;
        for (int tick = 1; tick <= 5; tick++) {
            clock.addAndGet(TICK);
            worker.doWork();
        }
        assertThat(ticking.runs - woken).isEqualTo(5);
    }

    @Test
    void anIoCycleWritesEveryReadyGroupBeforeItFlushesAny() {
        List<Throwable> failures = new ArrayList<>();
        group(1, new Task("c1", 0), new Writer("a", 1), failures);
        group(2, new Task("c2", 0), new Writer("b", 1), failures);
        group(3, new Task("c3", 0), new Writer("c", 1), failures);
        io.doWork();
        // One shared log's first flush then covers all three groups' writes.
        assertThat(ioLog).containsExactly("write a", "write b", "write c", "flush a", "flush b", "flush c");
    }

    @Test
    void aFailingTaskStopsOnlyItsGroup() {
        List<Throwable> failures = new ArrayList<>();
        Agent failing = new Agent() {
            @Override
            public int doWork() {
                throw new IllegalStateException("boom");
            }

            @Override
            public String roleName() {
                return "failing";
            }
        };
        Task healthy = new Task("healthy", 3);
        group(1, failing, new Writer("a", 0), failures);
        group(2, healthy, new Writer("b", 0), failures);
        worker.doWork();
        worker.doWork();
        assertThat(failures).hasSize(1).first().hasFieldOrPropertyWithValue("message", "boom");
        assertThat(healthy.work).as("the healthy group kept running").isZero();
    }

    @Test
    void stopWaitsForARunningCycleAndThenNothingRuns() throws Exception {
        List<Throwable> failures = new ArrayList<>();
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        int[] runs = {0};
        Agent slow = new Agent() {
            @Override
            public int doWork() {
                runs[0]++;
                if (runs[0] == 1) {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return 1;
            }

            @Override
            public String roleName() {
                return "slow";
            }
        };
        GroupSlot slot = group(1, slow, new Writer("a", 0), failures);
        Thread runner = new Thread(worker::doWork);
        runner.start();
        inside.await();
        Thread stopper = new Thread(slot::stop);
        stopper.start();
        stopper.join(200);
        assertThat(stopper.isAlive()).as("stop waits while a cycle of the group runs").isTrue();
        release.countDown();
        stopper.join(10_000);
        runner.join(10_000);
        assertThat(stopper.isAlive()).isFalse();
        slot.cpuSignal().wake();
        worker.doWork();
        assertThat(runs[0]).as("nothing runs after stop").isEqualTo(1);
        assertThat(worker.groupCount()).isZero();
    }

    @Test
    void aGroupCannotStopFromItsOwnTask() {
        List<Throwable> failures = new ArrayList<>();
        GroupSlot[] self = new GroupSlot[1];
        List<Throwable> seen = new ArrayList<>();
        Agent closer = new Agent() {
            @Override
            public int doWork() {
                try {
                    self[0].stop();
                } catch (IllegalStateException e) {
                    seen.add(e);
                }
                return 0;
            }

            @Override
            public String roleName() {
                return "closer";
            }
        };
        self[0] = group(1, closer, new Writer("a", 0), failures);
        worker.doWork();
        assertThat(seen).hasSize(1);
        assertThatThrownBy(() -> { throw seen.get(0); }).hasMessageContaining("its own tasks");
    }
}
