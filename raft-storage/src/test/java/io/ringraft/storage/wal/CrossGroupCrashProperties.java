package io.ringraft.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.ModelLog;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Crash tests of the shared log with several groups: random interleavings of every group's calls
 * (append, flush, truncate, purge, reset, vote, deleting the group's data) and of maintenance rounds (checkpoint, moving live
 * entries forward, deleting files), on the fault-injecting file layer with tiny files, interrupted by
 * power losses (un-forced writes dropped, kept, or torn and reordered at sector granularity), crashes
 * at any file operation inside a call, and process crashes. After every crash the log is reopened and
 * checked:
 *
 * <ul>
 *   <li>the recovered state of <b>all groups together</b> (each group's base, entries with terms,
 *       kinds and payloads, and vote) is the state after one prefix of the interleaved history: a
 *       torn or lost write of one group never takes away or damages another group's entries, unless
 *       they came after it in the stream and were not flushed;</li>
 *   <li>that prefix includes every record of a group up to its last returned flush, and everything up
 *       to the last returned vote; after a process crash, everything with {@code writeThrough}, and
 *       without it (changes wait in the writer's staging buffer) the same as after a power loss;</li>
 *   <li>after a crashed call, every group's calls fail (fail-stop).</li>
 * </ul>
 */
class CrossGroupCrashProperties {

    private static final Path DIR = Path.of("/host/wal");
    private static final int GROUPS = 3;

    sealed interface Action permits Append, Flush, Truncate, Purge, Reset, NewTerm, Delete, Maintain,
            CrashDuringNext, PowerLoss, ProcessCrash {
    }

    /** The group's storage is closed, its data deleted ({@link SharedLog#deleteGroup}), and it is opened again. */
    record Delete(int group) implements Action {
    }

    record Append(int group, int count, boolean newTerm, int sizeSeed) implements Action {
    }

    record Flush(int group) implements Action {
    }

    record Truncate(int group, int permille) implements Action {
    }

    record Purge(int group, int permille) implements Action {
    }

    record Reset(int group, int permille, int termPermille) implements Action {
    }

    record NewTerm(int group, boolean voteForSomeone) implements Action {
    }

    record Maintain(boolean checkpoint) implements Action {
    }

    record CrashDuringNext(int operation) implements Action {
    }

    record PowerLoss(FaultyFileIo.CrashMode mode) implements Action {
    }

    record ProcessCrash() implements Action {
    }

    @Provide
    Arbitrary<List<Action>> histories() {
        Arbitrary<Integer> group = Arbitraries.integers().between(0, GROUPS - 1);
        Arbitrary<Integer> permille = Arbitraries.integers().between(0, 1000);
        Arbitrary<Action> append = Combinators.combine(group, Arbitraries.integers().between(1, 6),
                Arbitraries.of(false, false, false, true), permille).as(Append::new);
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                Tuple.of(12, append),
                Tuple.of(6, group.map(Flush::new)),
                Tuple.of(3, Combinators.combine(group, permille).as(Truncate::new)),
                Tuple.of(5, Combinators.combine(group, permille).as(Purge::new)),
                Tuple.of(1, Combinators.combine(group, permille, permille).as(Reset::new)),
                Tuple.of(1, Combinators.combine(group, Arbitraries.of(true, false)).as(NewTerm::new)),
                Tuple.of(1, group.map(Delete::new)),
                Tuple.of(6, Arbitraries.of(true, false).map(Maintain::new)),
                Tuple.of(2, Arbitraries.integers().between(1, 14).map(CrashDuringNext::new)),
                Tuple.of(2, Arbitraries.of(FaultyFileIo.CrashMode.class).map(PowerLoss::new)),
                Tuple.of(1, Arbitraries.just(new ProcessCrash())));
        return action.list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 400)
    void recoveredGroupsAreOnePrefixOfTheInterleavedHistory(@ForAll("histories") List<Action> history,
            @ForAll @IntRange(min = 1024, max = 4096) int fileBytes, @ForAll boolean preallocate,
            @ForAll @IntRange(min = 1, max = 3) int checkpointEveryFiles, @ForAll boolean writeThrough,
            @ForAll long seed) throws IOException {
        Runner runner = new Runner(seed, fileBytes, preallocate, checkpointEveryFiles, writeThrough);
        runner.reopen();
        for (Action action : history) {
            runner.step(action);
        }
        runner.powerLoss(FaultyFileIo.CrashMode.RANDOM);
        runner.close();
    }

    /** Every group's log and vote at one point of the history. */
    record State(ModelLog[] logs, Vote[] votes) {
        State with(int group, ModelLog log) {
            ModelLog[] next = logs.clone();
            next[group] = log;
            return new State(next, votes);
        }

        State with(int group, Vote vote) {
            Vote[] next = votes.clone();
            next[group] = vote;
            return new State(logs, next);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && Arrays.equals(logs, s.logs) && Arrays.equals(votes, s.votes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(logs) * 31 + Arrays.hashCode(votes);
        }

        @Override
        public String toString() {
            return "State" + Arrays.toString(logs) + Arrays.toString(votes);
        }
    }

    /** Drives one shared log over one simulated disk and keeps the history of states it may recover. */
    private static final class Runner {
        final FaultyFileIo disk;
        final int fileBytes;
        final boolean preallocate;
        final int checkpointEveryFiles;
        /** With it a process crash loses nothing; without, what was staged (as a power loss). */
        final boolean writeThrough;
        final SplittableRandom random;
        SharedLog log;
        final LogStorage[] storages = new LogStorage[GROUPS];
        /** States the calls so far lead to, oldest first; the last is the current one. */
        List<State> history = new ArrayList<>();
        /** Per state, the group whose call made it (-1 for the recovered state). */
        List<Integer> madeBy = new ArrayList<>();
        int durableFrom;
        int crashAt;
        long payloadCounter;

        Runner(long seed, int fileBytes, boolean preallocate, int checkpointEveryFiles, boolean writeThrough) {
            this.writeThrough = writeThrough;
            this.disk = new FaultyFileIo(seed);
            this.fileBytes = fileBytes;
            this.preallocate = preallocate;
            this.checkpointEveryFiles = checkpointEveryFiles;
            this.random = new SplittableRandom(seed);
        }

        State current() {
            return history.get(history.size() - 1);
        }

        void push(int group, State state) {
            history.add(state);
            madeBy.add(group);
        }

        void step(Action action) throws IOException {
            if (action instanceof CrashDuringNext c) {
                crashAt = c.operation();
                return;
            }
            if (action instanceof PowerLoss p) {
                powerLoss(p.mode());
                return;
            }
            if (action instanceof ProcessCrash) {
                disk.processCrash();
                close();
                if (writeThrough) {
                    durableFrom = history.size() - 1;
                }
                reopen();
                return;
            }
            if (crashAt > 0) {
                disk.crashAtOperation(crashAt);
                crashAt = 0;
            }
            try {
                perform(action);
            } catch (FaultyFileIo.SimulatedCrash crash) {
                for (LogStorage storage : storages) {
                    assertThatThrownBy(storage::flush).as("fail-stop after " + crash).isInstanceOf(IOException.class);
                }
                powerLoss(FaultyFileIo.CrashMode.RANDOM);
                return;
            } catch (IOException e) {
                if (!disk.crashed()) {
                    throw e;
                }
                // A maintenance round crashed on a file operation and failed the log: same as above.
                powerLoss(FaultyFileIo.CrashMode.RANDOM);
                return;
            }
            disk.crashAtOperation(Long.MAX_VALUE / 2);
        }

        private void perform(Action action) throws IOException {
            State state = current();
            if (action instanceof Append a) {
                int g = a.group();
                if (a.newTerm() || state.votes()[g].term() == 0) {
                    perform(new NewTerm(g, false));
                    state = current();
                }
                ModelLog log = state.logs()[g];
                long first = log.lastIndex() + 1;
                ModelLog next = log;
                for (int i = 0; i < a.count(); i++) {
                    next = next.append(newEntry(state.votes()[g].term(), a.sizeSeed() + i));
                    push(g, current().with(g, next));
                }
                storages[g].append(next.slice(first, a.count()));
            } else if (action instanceof Flush f) {
                storages[f.group()].flush();
                int last = madeBy.lastIndexOf(f.group());
                durableFrom = Math.max(durableFrom, last);
            } else if (action instanceof Truncate t) {
                int g = t.group();
                ModelLog log = state.logs()[g];
                long span = log.lastIndex() - log.base().index();
                long from = log.base().index() + 1 + span * t.permille() / 1000;
                if (from <= log.lastIndex()) {
                    push(g, state.with(g, log.truncateFrom(from)));
                }
                storages[g].truncateSuffix(from);
            } else if (action instanceof Purge p) {
                int g = p.group();
                ModelLog log = state.logs()[g];
                long span = log.lastIndex() - log.base().index();
                if (span == 0) {
                    return;
                }
                long upTo = log.base().index() + 1 + (span - 1) * p.permille() / 1000;
                push(g, state.with(g, log.purgeTo(upTo)));
                storages[g].purgePrefix(upTo);
            } else if (action instanceof Reset r) {
                int g = r.group();
                if (state.votes()[g].term() == 0) {
                    perform(new NewTerm(g, false));
                    state = current();
                }
                ModelLog log = state.logs()[g];
                long span = log.lastIndex() + 20 - log.base().index();
                long index = log.base().index() + span * r.permille() / 1000;
                long term = 1 + (state.votes()[g].term() - 1) * r.termPermille() / 1000;
                LogId newBase = new LogId(term, index);
                push(g, state.with(g, log.resetTo(newBase)));
                storages[g].resetTo(newBase);
            } else if (action instanceof NewTerm n) {
                int g = n.group();
                Vote vote = state.votes()[g];
                Vote next = new Vote(vote.term() + 1, n.voteForSomeone() ? 1 + random.nextInt(5) : Vote.NONE);
                push(g, state.with(g, next));
                storages[g].saveVote(next);
                durableFrom = history.size() - 1;
            } else if (action instanceof Delete d) {
                int g = d.group();
                push(g, state.with(g, ModelLog.EMPTY).with(g, Vote.INITIAL));
                storages[g].close();
                log.deleteGroup(groupId(g));
                durableFrom = history.size() - 1;
                storages[g] = log.storageFor(groupId(g));
                assertThat(storages[g].open()).isEqualTo(new LogState(Vote.INITIAL, LogId.ZERO, LogId.ZERO));
            } else if (action instanceof Maintain m) {
                if (m.checkpoint()) {
                    log.checkpointNow();
                }
                log.maintainNow();
            }
        }

        private ModelLog.Entry newEntry(long term, int sizeSeed) {
            int size = sizeSeed % 11 == 0 ? 300 + sizeSeed % 200 : 8 + sizeSeed % 120;
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            ByteBuffer.wrap(payload).putLong(0, ++payloadCounter);
            return new ModelLog.Entry(term, sizeSeed % 5 == 0 ? EntryKind.NOOP : EntryKind.COMMAND, payload);
        }

        void powerLoss(FaultyFileIo.CrashMode mode) throws IOException {
            disk.powerLoss(mode);
            close();
            reopen();
        }

        void close() throws IOException {
            for (LogStorage storage : storages) {
                if (storage != null) {
                    storage.close();
                }
            }
            if (log != null) {
                log.close();
            }
        }

        static long groupId(int g) {
            return 100 + g * 1_000_003L;
        }

        /** Opens the log again and checks what every group recovered. */
        void reopen() throws IOException {
            log = SharedLog.builder(DIR).nodeId(1).fileBytes(fileBytes).preallocate(preallocate)
                    .writeThrough(writeThrough)
                    .checkpointEveryFiles(checkpointEveryFiles).backgroundMaintenance(false).fileIo(disk).build();
            ModelLog[] logs = new ModelLog[GROUPS];
            Vote[] votes = new Vote[GROUPS];
            for (int g = 0; g < GROUPS; g++) {
                storages[g] = log.storageFor(groupId(g));
                LogState state = storages[g].open();
                votes[g] = state.vote();
                logs[g] = ModelLog.readFrom(storages[g], state.base(), state.last());
                assertThat(storages[g].termAt(state.base().index())).isEqualTo(state.base().term());
                assertThat(storages[g].termAt(state.last().index() + 1)).isEqualTo(-1);
            }
            State recovered = new State(logs, votes);
            if (history.isEmpty()) {
                Vote[] initial = new Vote[GROUPS];
                ModelLog[] empty = new ModelLog[GROUPS];
                Arrays.fill(initial, Vote.INITIAL);
                Arrays.fill(empty, ModelLog.EMPTY);
                assertThat(recovered).isEqualTo(new State(empty, initial));
            } else {
                List<State> allowed = history.subList(durableFrom, history.size());
                assertThat(allowed).as("states the interleaved history allows after a crash").contains(recovered);
            }
            history = new ArrayList<>(List.of(recovered));
            madeBy = new ArrayList<>(List.of(-1));
            durableFrom = 0;
        }
    }
}
