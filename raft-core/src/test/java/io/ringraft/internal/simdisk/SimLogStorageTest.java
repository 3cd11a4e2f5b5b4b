package io.ringraft.internal.simdisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.internal.simdisk.SimDisk.CrashMode;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.conformance.LogStorageConformanceTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite (a reopen is a close plus a crash that loses everything unflushed, so only the
 * vote and flushed changes survive), then the crash model and the faults.
 */
class SimLogStorageTest extends LogStorageConformanceTest {

    private static final SplittableRandom UNUSED = new SplittableRandom(0);

    @Override
    protected LogStorage newStorage() {
        return new SimLogStorage(new SimDisk());
    }

    @Override
    protected LogStorage reopen(LogStorage old) {
        SimLogStorage sim = (SimLogStorage) old;
        sim.close();
        SimDisk disk = sim.disk();
        disk.crash(UNUSED, CrashMode.LOST);
        return new SimLogStorage(disk);
    }

    private SimDisk disk() {
        return ((SimLogStorage) storage).disk();
    }

    /** Crashes the disk with {@code mode} and opens a new storage on it. */
    private LogState crashAndRestart(CrashMode mode, long seed) throws IOException {
        disk().crash(new SplittableRandom(seed), mode);
        storage = new SimLogStorage(disk());
        opened = storage.open();
        return opened;
    }

    // ------------------------------------------------------------------ crash modes

    @Test
    void lostCrashLosesExactlyTheUnflushedChanges() throws IOException {
        storage.saveVote(new Vote(2, 1));
        HeapLogEntries flushed = entries(1, 1, 1, 1);
        storage.append(flushed);
        storage.flush();
        storage.truncateSuffix(3);
        storage.append(entriesFrom(3, 2, 2));
        storage.purgePrefix(2);
        assertThat(disk().pendingChangeCount()).isEqualTo(3);

        LogState state = crashAndRestart(CrashMode.LOST, 1);
        assertThat(state).isEqualTo(new LogState(new Vote(2, 1), LogId.ZERO, new LogId(1, 4)));
        assertThat(readAll(1)).isEqualTo(flushed);
        assertThat(disk().durableEntries()).isEqualTo(flushed);
    }

    @Test
    void keptCrashKeepsEveryChange() throws IOException {
        storage.saveVote(new Vote(2, 1));
        storage.append(entries(1, 1, 1, 1));
        storage.flush();
        storage.truncateSuffix(3);
        HeapLogEntries replacement = entriesFrom(3, 2, 2);
        storage.append(replacement);
        storage.purgePrefix(2);

        LogState state = crashAndRestart(CrashMode.KEPT, 1);
        assertThat(state).isEqualTo(new LogState(new Vote(2, 1), new LogId(1, 2), new LogId(2, 4)));
        assertThat(readAll(3)).isEqualTo(replacement);
        assertThat(disk().durableBase()).isEqualTo(new LogId(1, 2));
    }

    @Test
    void tornCrashKeepsAnInOrderPrefixAndSometimesATornBatch() throws IOException {
        List<LogId> outcomes = new ArrayList<>();
        for (long seed = 0; seed < 200; seed++) {
            storage.close();
            storage = new SimLogStorage(new SimDisk());
            storage.open();
            storage.saveVote(new Vote(3, 1));
            storage.append(entries(1, 1));
            storage.flush();
            storage.append(entriesFrom(3, 1, 1, 1)); // change 1: entries 3..5 in term 1
            storage.truncateSuffix(4);                // change 2: back to 3
            storage.append(entriesFrom(4, 3, 3));     // change 3: 4..5 in term 3

            outcomes.add(crashAndRestart(CrashMode.TORN, seed).last());
        }
        // (1,4) is only reachable by tearing change 1; (3,4) only by tearing change 3; (1,3) either
        // way. Never a later change without an earlier one, e.g. term 3 entries over a lost truncation.
        assertThat(outcomes).containsOnly(new LogId(1, 2), new LogId(1, 3), new LogId(1, 4), new LogId(1, 5),
                new LogId(3, 4), new LogId(3, 5));
    }

    @Test
    void tornCrashIsDeterministicForASeed() throws IOException {
        List<HeapLogEntries> first = new ArrayList<>();
        List<HeapLogEntries> second = new ArrayList<>();
        for (List<HeapLogEntries> results : List.of(first, second)) {
            for (long seed = 0; seed < 30; seed++) {
                SimDisk disk = new SimDisk();
                SimLogStorage s = new SimLogStorage(disk);
                s.open();
                s.saveVote(new Vote(1, 1));
                for (int i = 0; i < 5; i++) {
                    s.append(entriesFrom(1 + 3L * i, 1, 1, 1));
                }
                disk.crash(new SplittableRandom(seed), CrashMode.TORN);
                results.add(disk.durableEntries());
            }
        }
        assertThat(first).isEqualTo(second);
    }

    @Test
    void voteIsDurableWithoutFlushButUnflushedEntriesAreNot() throws IOException {
        storage.saveVote(new Vote(1, 1));
        storage.append(entries(1, 1));
        storage.saveVote(new Vote(4, 2));
        assertThat(disk().durableVote()).isEqualTo(new Vote(4, 2));
        assertThat(crashAndRestart(CrashMode.LOST, 1)).isEqualTo(new LogState(new Vote(4, 2), LogId.ZERO, LogId.ZERO));
    }

    @Test
    void aCrashedIncarnationRefusesEveryCall() throws IOException {
        storage.saveVote(new Vote(1, 1));
        LogStorage old = storage;
        crashAndRestart(CrashMode.KEPT, 1);
        assertThatThrownBy(() -> old.append(entries(1))).isInstanceOf(IOException.class).hasMessageContaining("crashed");
        assertThatThrownBy(() -> old.read(1, 1, 1)).isInstanceOf(IOException.class).hasMessageContaining("crashed");
        assertThatThrownBy(() -> old.termAt(0)).isInstanceOf(IOException.class);
        assertThatThrownBy(old::flush).isInstanceOf(IOException.class);
        storage.append(entries(1)); // the new incarnation works
    }

    @Test
    void aRestartWithoutCrashRecoversThePageCacheAndMakesItDurable() throws IOException {
        storage.saveVote(new Vote(1, 1));
        HeapLogEntries unflushed = entries(1, 1);
        storage.append(unflushed);
        assertThatThrownBy(() -> new SimLogStorage(disk()).open()).isInstanceOf(IllegalStateException.class);
        storage.close();

        storage = new SimLogStorage(disk());
        opened = storage.open();
        assertThat(opened.last()).isEqualTo(new LogId(1, 2));
        assertThat(readAll(1)).isEqualTo(unflushed);
        // open() returns only durable state: the recovered entries survive a power loss after it.
        assertThat(crashAndRestart(CrashMode.LOST, 1).last()).isEqualTo(new LogId(1, 2));
    }

    // ------------------------------------------------------------------ faults

    @Test
    void aFailedFlushDropsThePendingChangesAndFailsTheStorage() throws IOException {
        storage.saveVote(new Vote(1, 1));
        storage.append(entries(1));
        storage.flush();
        storage.append(entriesFrom(2, 1, 1));
        disk().failNextFlush();

        assertThatThrownBy(storage::flush).isInstanceOf(IOException.class).hasMessageContaining("fsync");
        assertThat(disk().pendingChangeCount()).isZero(); // fsyncgate: a retry would "succeed" with nothing
        String failed = "storage failed earlier";
        assertThatThrownBy(storage::flush).isInstanceOf(IOException.class).hasMessageContaining(failed);
        assertThatThrownBy(() -> storage.append(entriesFrom(4, 1))).isInstanceOf(IOException.class)
                .hasMessageContaining(failed);
        assertThatThrownBy(() -> storage.truncateSuffix(2)).isInstanceOf(IOException.class).hasMessageContaining(failed);
        assertThatThrownBy(() -> storage.purgePrefix(1)).isInstanceOf(IOException.class).hasMessageContaining(failed);
        assertThatThrownBy(() -> storage.saveVote(new Vote(2, 1))).isInstanceOf(IOException.class)
                .hasMessageContaining(failed);
        assertThat(storage.termAt(3)).isEqualTo(1); // reads still see the page cache

        // Even a crash that keeps everything pending cannot bring the dropped changes back.
        assertThat(crashAndRestart(CrashMode.KEPT, 1).last()).isEqualTo(new LogId(1, 1));
        storage.append(entriesFrom(2, 1));
        storage.flush(); // a new incarnation works again
    }

    @Test
    void flushFailuresWithAProbabilityAreDeterministicForASeed() throws IOException {
        List<Integer> firstFailures = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            SimDisk disk = new SimDisk();
            disk.failFlushesWithProbability(0.3, new SplittableRandom(99));
            List<Integer> failures = new ArrayList<>();
            for (int attempt = 0; attempt < 40; attempt++) {
                SimLogStorage s = new SimLogStorage(disk);
                s.open();
                try {
                    s.flush();
                } catch (IOException e) {
                    failures.add(attempt);
                }
                s.close();
            }
            assertThat(failures).isNotEmpty().hasSizeLessThan(40);
            if (run == 0) {
                firstFailures.addAll(failures);
            } else {
                assertThat(failures).isEqualTo(firstFailures);
            }
        }
    }

    @Test
    void appendFailsWhenTheDiskIsFull() throws IOException {
        storage.saveVote(new Vote(1, 1));
        disk().setCapacityEntries(5);
        storage.append(entries(1, 1, 1));
        storage.flush();
        storage.append(entriesFrom(4, 1));
        assertThatThrownBy(() -> storage.append(entriesFrom(5, 1, 1))).isInstanceOf(IOException.class)
                .hasMessageContaining("no space left");
        assertThatThrownBy(() -> storage.append(entriesFrom(5, 1))).isInstanceOf(IOException.class)
                .hasMessageContaining("storage failed earlier");
        assertThat(storage.termAt(5)).isEqualTo(-1);
    }

    @Test
    void flushedTruncationsAndPurgesFreeSpace() throws IOException {
        storage.saveVote(new Vote(1, 1));
        disk().setCapacityEntries(4);
        storage.append(entries(1, 1, 1, 1));
        storage.purgePrefix(3);
        storage.flush();
        storage.append(entriesFrom(5, 1, 1, 1));
        assertThat(storage.termAt(7)).isEqualTo(1);
    }

    // ------------------------------------------------------------------ property: torn crashes recover an in-order prefix

    /**
     * Random histories of appends, truncations, purges, vote changes, flushes and crashes. A model
     * tracks every log state the durable disk may hold after a crash: the state at the last flush and
     * the state after each later change (after each entry of an append batch, for torn batches). After
     * a TORN crash the recovered log must be one of them; LOST must give the first and KEPT the last;
     * the vote is always the last one saved.
     */
    @Property(tries = 300)
    void crashesRecoverTheLogAfterSomeInOrderPrefixOfTheChanges(
            @ForAll long seed,
            @ForAll @Size(min = 1, max = 80) List<@IntRange(min = 0, max = 99) Integer> steps) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        SimDisk disk = new SimDisk();
        SimLogStorage node = new SimLogStorage(disk);
        node.open();
        Model model = new Model();
        List<Snapshot> candidates = new ArrayList<>(List.of(model.snapshot()));
        Vote vote = new Vote(1, 1);
        node.saveVote(vote);

        for (int step : steps) {
            long last = model.lastIndex();
            if (step < 40) {
                int count = 1 + rnd.nextInt(4);
                long term = model.lastTerm() + (rnd.nextInt(3) == 0 ? 1 : 0);
                if (term > vote.term()) {
                    vote = new Vote(term, Vote.NONE);
                    node.saveVote(vote);
                }
                HeapLogEntries.Builder batch = HeapLogEntries.builder(last + 1);
                for (int i = 1; i <= count; i++) {
                    byte[] payload = new byte[rnd.nextInt(6)];
                    rnd.nextBytes(payload);
                    EntryKind kind = rnd.nextBoolean() ? EntryKind.COMMAND : EntryKind.NOOP;
                    batch.add(term, kind, payload);
                    model.entries.put(last + i, new ModelEntry(term, kind, payload));
                    candidates.add(model.snapshot());
                }
                node.append(batch.build());
            } else if (step < 52 && last > model.base.index()) {
                long from = rnd.nextLong(model.base.index() + 1, last + 1);
                node.truncateSuffix(from);
                model.entries.tailMap(from, true).clear();
                candidates.add(model.snapshot());
            } else if (step < 60 && last > model.base.index()) {
                long upTo = rnd.nextLong(model.base.index() + 1, last + 1);
                node.purgePrefix(upTo);
                model.base = new LogId(model.entries.get(upTo).term(), upTo);
                model.entries.headMap(upTo, true).clear();
                candidates.add(model.snapshot());
            } else if (step < 64) {
                vote = new Vote(vote.term() + 1, rnd.nextInt(3));
                node.saveVote(vote);
            } else if (step < 80) {
                node.flush();
                candidates = new ArrayList<>(List.of(model.snapshot()));
                assertThat(Snapshot.of(disk)).isEqualTo(model.snapshot());
            } else {
                CrashMode mode = step < 90 ? CrashMode.TORN : step < 95 ? CrashMode.LOST : CrashMode.KEPT;
                disk.crash(new SplittableRandom(rnd.nextLong()), mode);
                Snapshot recovered = Snapshot.of(disk);
                switch (mode) {
                    case LOST -> assertThat(recovered).isEqualTo(candidates.get(0));
                    case KEPT -> assertThat(recovered).isEqualTo(candidates.get(candidates.size() - 1));
                    default -> assertThat(candidates).contains(recovered);
                }
                assertThat(disk.durableVote()).isEqualTo(vote);

                node = new SimLogStorage(disk);
                LogState state = node.open();
                assertThat(state).isEqualTo(new LogState(vote, recovered.base(), recovered.last()));
                if (recovered.entries().count() > 0) {
                    assertThat(HeapLogEntries.copyOf(node.read(recovered.base().index() + 1,
                            Integer.MAX_VALUE, Integer.MAX_VALUE))).isEqualTo(recovered.entries());
                }
                model = Model.of(recovered);
                candidates = new ArrayList<>(List.of(recovered));
            }
        }
    }

    private record ModelEntry(long term, EntryKind kind, byte[] payload) {
    }

    /** An independent model of the log: a base and a sorted map of entries. */
    private static final class Model {
        LogId base = LogId.ZERO;
        final TreeMap<Long, ModelEntry> entries = new TreeMap<>();

        long lastIndex() {
            return entries.isEmpty() ? base.index() : entries.lastKey();
        }

        long lastTerm() {
            return entries.isEmpty() ? base.term() : entries.lastEntry().getValue().term();
        }

        Snapshot snapshot() {
            HeapLogEntries.Builder builder = HeapLogEntries.builder(base.index() + 1);
            for (ModelEntry entry : entries.values()) {
                builder.add(entry.term(), entry.kind(), entry.payload());
            }
            return new Snapshot(base, builder.build());
        }

        static Model of(Snapshot snapshot) {
            Model model = new Model();
            model.base = snapshot.base();
            HeapLogEntries entries = snapshot.entries();
            for (int i = 0; i < entries.count(); i++) {
                model.entries.put(entries.firstIndex() + i,
                        new ModelEntry(entries.termAt(i), entries.kindAt(i), entries.payloadBytes(i)));
            }
            return model;
        }
    }

    /** A value-comparable log state. */
    private record Snapshot(LogId base, HeapLogEntries entries) {
        static Snapshot of(SimDisk disk) {
            return new Snapshot(disk.durableBase(), disk.durableEntries());
        }

        LogId last() {
            return entries.count() == 0 ? base : entries.logIdAt(entries.count() - 1);
        }
    }
}
