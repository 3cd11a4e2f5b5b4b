package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogState;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Crash tests: random sequences of append, flush, truncate, purge, reset and vote changes on the
 * fault-injecting file layer, interrupted by power losses (un-forced writes dropped, kept, or torn
 * and reordered at sector granularity), by crashes in the middle of a call (at any file operation),
 * and by process crashes (the page cache survives). After every crash the storage is reopened and
 * the property is checked:
 *
 * <ul>
 *   <li>the recovered log (base, and every entry's term, kind and payload) is exactly the log after
 *       some prefix of the calls, where a torn append may contribute a prefix of its entries;</li>
 *   <li>that prefix includes every call up to the last {@code flush} that returned, and every
 *       {@code truncateSuffix}, {@code purgePrefix} and {@code resetTo} that returned (they are
 *       durable on return);
 *       after a process crash, everything;</li>
 *   <li>the vote is the last one saved (or, after a crash inside {@code saveVote}, the one before);</li>
 *   <li>after an interrupted call, every later call fails (fail-stop).</li>
 * </ul>
 *
 * Payloads are unique, so a re-appended index (truncate then append) never looks like the old entry.
 */
class CrashRecoveryProperties {

    private static final Path DIR = Path.of("/raft/group-1");

    /** One step of a generated history. */
    sealed interface Action permits Append, Flush, Truncate, Purge, Reset, NewTerm, CrashDuringNext, PowerLoss,
            ProcessCrash {
    }

    /** Appends {@code count} entries of the current vote's term (after raising the term if asked). */
    record Append(int count, boolean newTerm, int sizeSeed) implements Action {
    }

    record Flush() implements Action {
    }

    /** Truncates from a point {@code permille} of the way through {@code (base, last + 1]}. */
    record Truncate(int permille) implements Action {
    }

    /** Purges up to a point {@code permille} of the way through {@code (base, last]}. */
    record Purge(int permille) implements Action {
    }

    /**
     * Resets the log to a base {@code permille} of the way through {@code [base, last + 20]} (before,
     * inside or beyond the log), whose term is {@code termPermille} of the way through
     * {@code [1, vote term]}.
     */
    record Reset(int permille, int termPermille) implements Action {
    }

    /** Saves a vote for a new term, voting for a candidate or not. */
    record NewTerm(boolean voteForSomeone) implements Action {
    }

    /** The next action crashes at its {@code operation}-th file operation (if it gets that far). */
    record CrashDuringNext(int operation) implements Action {
    }

    record PowerLoss(FaultyFileIo.CrashMode mode) implements Action {
    }

    record ProcessCrash() implements Action {
    }

    @Provide
    Arbitrary<List<Action>> histories() {
        Arbitrary<Action> append = Combinators.combine(Arbitraries.integers().between(1, 8), Arbitraries.of(
                false, false, false, true), Arbitraries.integers().between(0, 1000)).as(Append::new);
        Arbitrary<Action> truncate = Arbitraries.integers().between(0, 1000).map(Truncate::new);
        Arbitrary<Action> purge = Arbitraries.integers().between(0, 1000).map(Purge::new);
        Arbitrary<Action> reset = Combinators.combine(Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 1000)).as(Reset::new);
        Arbitrary<Action> crashDuring = Arbitraries.integers().between(1, 12).map(CrashDuringNext::new);
        Arbitrary<Action> powerLoss = Arbitraries.of(FaultyFileIo.CrashMode.class).map(PowerLoss::new);
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                Tuple.of(10, append),
                Tuple.of(5, Arbitraries.just(new Flush())),
                Tuple.of(3, truncate),
                Tuple.of(2, purge),
                Tuple.of(1, reset),
                Tuple.of(1, Arbitraries.of(true, false).map(NewTerm::new)),
                Tuple.of(2, crashDuring),
                Tuple.of(2, powerLoss),
                Tuple.of(1, Arbitraries.just(new ProcessCrash())));
        return action.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 1000)
    void recoveredLogIsExactlyADurablePrefixOfTheHistory(@ForAll("histories") List<Action> history,
            @ForAll @IntRange(min = 256, max = 1200) int segmentBytes, @ForAll boolean preallocate,
            @ForAll boolean sameSizePayloads, @ForAll long seed) throws IOException {
        Runner runner = new Runner(seed, segmentBytes, preallocate);
        runner.sameSizePayloads = sameSizePayloads;
        runner.reopen(Set.of(Vote.INITIAL));
        for (Action action : history) {
            runner.step(action);
        }
        runner.powerLoss(FaultyFileIo.CrashMode.RANDOM);
        runner.storage.close();
    }

    @Property(tries = 100)
    void aHistoryWithoutCrashesReadsBackAfterAPowerLossThatDropsNothingFlushed(
            @ForAll @Size(max = 30) List<@IntRange(min = 1, max = 8) Integer> batches,
            @ForAll @IntRange(min = 256, max = 4096) int segmentBytes, @ForAll long seed) throws IOException {
        Runner runner = new Runner(seed, segmentBytes, true);
        runner.reopen(Set.of(Vote.INITIAL));
        for (int count : batches) {
            runner.step(new Append(count, false, count * 37));
            runner.step(new Flush());
        }
        runner.powerLoss(FaultyFileIo.CrashMode.DROP);
        assertThat(runner.history.get(0).lastIndex()).isEqualTo(batches.stream().mapToInt(i -> i).sum());
        runner.storage.close();
    }

    /** Drives one storage over one simulated disk and keeps the model of what may be recovered. */
    private static final class Runner {
        final FaultyFileIo disk;
        final int segmentBytes;
        final boolean preallocate;
        final SplittableRandom random;
        SegmentedLogStorage storage;
        Vote vote = Vote.INITIAL;
        /** Logs the calls so far lead to, oldest first; the last is the current one. */
        List<ModelLog> history = new ArrayList<>();
        /** The oldest entry of {@link #history} a crash may go back to. */
        int durableFrom;
        /** If the next action must crash at this file operation, or 0. */
        int crashAt;
        long payloadCounter;
        /**
         * If true, every payload has the same size, so that records of a lost history sit exactly where
         * the new history's records go: the case where leftovers of a torn tail could pass for new
         * records if recovery did not cut them.
         */
        boolean sameSizePayloads;

        Runner(long seed, int segmentBytes, boolean preallocate) {
            this.disk = new FaultyFileIo(seed);
            this.segmentBytes = segmentBytes;
            this.preallocate = preallocate;
            this.random = new SplittableRandom(seed);
        }

        ModelLog current() {
            return history.get(history.size() - 1);
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
                storage.close();
                durableFrom = history.size() - 1; // nothing is lost: the page cache held every write
                reopen(Set.of(vote));
                return;
            }
            if (crashAt > 0) {
                disk.crashAtOperation(crashAt);
                crashAt = 0;
            }
            try {
                perform(action);
            } catch (FaultyFileIo.SimulatedCrash crash) {
                Set<Vote> votes = crash instanceof VoteCrash v ? v.votes : Set.of(vote);
                assertThatThrownBy(() -> storage.flush()).as("fail-stop after " + crash).isInstanceOf(IOException.class);
                disk.powerLoss(FaultyFileIo.CrashMode.RANDOM);
                storage.close();
                reopen(votes);
                return;
            }
            disk.crashAtOperation(Long.MAX_VALUE / 2); // disarm a crash the action did not reach
        }

        /** Performs one call; a crash inside {@code saveVote} is thrown as a {@link VoteCrash}. */
        private void perform(Action action) throws IOException {
            ModelLog log = current();
            if (action instanceof Append a) {
                if (a.newTerm() || vote.term() == 0) {
                    perform(new NewTerm(false));
                }
                long first = log.lastIndex() + 1;
                ModelLog next = log;
                for (int i = 0; i < a.count(); i++) {
                    next = next.append(newEntry(a.sizeSeed() + i));
                    history.add(next);
                }
                storage.append(next.slice(first, a.count()));
            } else if (action instanceof Flush) {
                storage.flush();
                durableFrom = history.size() - 1;
            } else if (action instanceof Truncate t) {
                long span = log.lastIndex() - log.base().index(); // choices: base + 1 .. last + 1
                long from = log.base().index() + 1 + span * t.permille() / 1000;
                history.add(log.truncateFrom(from));
                storage.truncateSuffix(from);
                if (from <= log.lastIndex()) {
                    durableFrom = history.size() - 1; // a truncation that removes nothing forces nothing
                }
            } else if (action instanceof Purge p) {
                long span = log.lastIndex() - log.base().index();
                if (span == 0) {
                    return;
                }
                long upTo = log.base().index() + 1 + (span - 1) * p.permille() / 1000;
                history.add(log.purgeTo(upTo));
                storage.purgePrefix(upTo);
                durableFrom = history.size() - 1;
            } else if (action instanceof Reset r) {
                if (vote.term() == 0) {
                    perform(new NewTerm(false));
                }
                long span = log.lastIndex() + 20 - log.base().index(); // choices: base .. last + 20
                long index = log.base().index() + span * r.permille() / 1000;
                long term = 1 + (vote.term() - 1) * r.termPermille() / 1000;
                LogId newBase = new LogId(term, index);
                history.add(log.resetTo(newBase));
                storage.resetTo(newBase);
                durableFrom = history.size() - 1;
            } else if (action instanceof NewTerm n) {
                Vote next = new Vote(vote.term() + 1, n.voteForSomeone() ? 1 + random.nextInt(5) : Vote.NONE);
                Vote before = vote;
                try {
                    storage.saveVote(next);
                } catch (FaultyFileIo.SimulatedCrash crash) {
                    vote = next; // either may be recovered
                    throw new VoteCrash(crash, Set.of(before, next));
                }
                vote = next;
            }
        }

        private ModelLog.Entry newEntry(int sizeSeed) {
            int size = sameSizePayloads ? 24 : sizeSeed % 11 == 0 ? 300 + sizeSeed % 200 : sizeSeed % 120;
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            if (size >= 8) {
                ByteBuffer.wrap(payload).putLong(0, ++payloadCounter);
            }
            return new ModelLog.Entry(vote.term(), sizeSeed % 5 == 0 ? EntryKind.NOOP : EntryKind.COMMAND, payload);
        }

        void powerLoss(FaultyFileIo.CrashMode mode) throws IOException {
            disk.powerLoss(mode);
            storage.close();
            reopen(Set.of(vote));
        }

        /** Opens a new storage on the disk and checks what it recovered. */
        void reopen(Set<Vote> allowedVotes) throws IOException {
            // A spare segment zero-filled on the writing thread (deterministic), or segments created when needed.
            storage = SegmentedLogStorage.builder(DIR).nodeId(1).segmentBytes(segmentBytes).preallocate(preallocate)
                    .fileIo(disk).verifyOnOpen(random.nextBoolean())
                    .segmentPreparer(random.nextBoolean() ? Runnable::run : null).build();
            LogState state = storage.open();
            assertThat(allowedVotes).as("recovered vote").contains(state.vote());
            vote = state.vote();
            ModelLog recovered = ModelLog.readFrom(storage, state.base(), state.last());
            assertThat(recovered.last()).isEqualTo(state.last());
            if (history.isEmpty()) {
                assertThat(recovered).isEqualTo(ModelLog.EMPTY);
            } else {
                List<ModelLog> allowed = history.subList(durableFrom, history.size());
                assertThat(allowed).as("logs the history allows after a crash (base %s, last %s recovered)",
                        state.base(), state.last()).contains(recovered);
            }
            assertThat(storage.termAt(state.base().index())).isEqualTo(state.base().term());
            assertThat(storage.termAt(state.last().index() + 1)).isEqualTo(-1);
            history = new ArrayList<>(List.of(recovered));
            durableFrom = 0;
        }
    }

    /** A crash inside saveVote, carrying the votes that may be recovered. */
    private static final class VoteCrash extends FaultyFileIo.SimulatedCrash {
        private static final long serialVersionUID = 1L;
        final transient Set<Vote> votes;

        VoteCrash(FaultyFileIo.SimulatedCrash cause, Set<Vote> votes) {
            super("saveVote: " + cause.getMessage());
            this.votes = votes;
        }
    }
}
