package io.ringraft.storage.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link LogStorage} must meet, as JUnit 5 tests. An implementation's test extends
 * this class, implements {@link #newStorage()} and, if the storage survives a restart, overrides
 * {@link #reopen}; the restart tests are skipped otherwise. Shipped in raft-core's test-jar so that
 * {@code raft-storage} and users' storages run the same checks.
 *
 * <p>Beyond the SPI's own words, these tests pin down: precondition violations (append not at
 * {@code last + 1}, a term lower than the entry before, truncation outside {@code (base, last + 1]},
 * purge beyond the last entry, a reset before the base) throw {@link IllegalArgumentException} and
 * change nothing; a vote going
 * backwards throws {@link IllegalStateException}; {@code maxBytes} is a cap (the entries returned hold
 * at most {@code maxBytes} of payload, except that the first entry is returned whatever its size);
 * a read beyond the last entry returns an empty view positioned at {@code fromIndex}. Tests save a
 * vote whose term covers every entry they append before appending (as the engine does), so that a
 * reopened storage reports a valid {@link LogState}.
 *
 * <p>Runs single-threaded; concurrency is each implementation's own test.
 */
public abstract class LogStorageConformanceTest {

    /** The storage under test, opened before each test; tests that reopen replace it. */
    protected LogStorage storage;

    /** What {@link LogStorage#open()} returned for {@link #storage}. */
    protected LogState opened;

    /** A new, empty, unopened storage. Called once per test. */
    protected abstract LogStorage newStorage() throws Exception;

    /**
     * Simulates a restart: closes {@code old} and returns a new, unopened storage over the same data.
     * Only the vote and changes flushed before the call have to survive. The default skips the
     * calling test, for storages that cannot outlive their instance.
     */
    protected LogStorage reopen(LogStorage old) throws Exception {
        Assumptions.abort(getClass().getSimpleName() + " cannot reopen its storage");
        throw new AssertionError("unreachable");
    }

    @BeforeEach
    final void openStorage() throws Exception {
        storage = newStorage();
        opened = storage.open();
    }

    @AfterEach
    final void closeStorage() throws Exception {
        if (storage != null) {
            storage.close();
        }
    }

    // ------------------------------------------------------------------ open

    @Test
    void newStorageOpensEmpty() throws IOException {
        assertThat(opened).isEqualTo(LogState.empty());
        assertThat(storage.termAt(0)).isZero();
        assertThat(storage.termAt(1)).isEqualTo(-1);
        LogEntries read = storage.read(1, 10, Integer.MAX_VALUE);
        assertThat(read.count()).isZero();
        assertThat(read.firstIndex()).isEqualTo(1);
    }

    @Test
    void readAtOrBelowTheBaseOfAnEmptyLogFails() {
        assertThatThrownBy(() -> storage.read(0, 10, Integer.MAX_VALUE)).isInstanceOf(IOException.class);
    }

    // ------------------------------------------------------------------ append and read

    @Test
    void appendThenReadReturnsTermsKindsAndPayloads() throws IOException {
        storage.saveVote(new Vote(3, 1));
        HeapLogEntries entries = HeapLogEntries.builder(1)
                .add(1, EntryKind.NOOP, new byte[0])
                .add(1, EntryKind.COMMAND, bytes("a"))
                .add(2, EntryKind.COMMAND, new byte[0])
                .add(3, EntryKind.NOOP, new byte[0])
                .add(3, EntryKind.COMMAND, allByteValues())
                .build();
        storage.append(entries);

        assertThat(readAll(1)).isEqualTo(entries);
        assertThat(readAll(3)).isEqualTo(HeapLogEntries.copyOf(entries, 2, 3));
        assertThat(readAll(5)).isEqualTo(HeapLogEntries.copyOf(entries, 4, 1));
        for (int i = 0; i < entries.count(); i++) {
            assertThat(storage.termAt(i + 1)).as("termAt(%d)", i + 1).isEqualTo(entries.termAt(i));
        }
    }

    @Test
    void appendCopiesTheEntriesItKeeps() throws IOException {
        storage.saveVote(new Vote(1, 1));
        byte[] payload = bytes("original");
        storage.append(HeapLogEntries.builder(1).add(1, EntryKind.COMMAND, payload).build());
        payload[0] = 'X';
        assertThat(copy(storage.read(1, 1, Integer.MAX_VALUE)).payloadBytes(0)).isEqualTo(bytes("original"));
    }

    @Test
    void appendsInSeveralBatchesReadAcrossBatchBoundaries() throws IOException {
        storage.saveVote(new Vote(5, 1));
        HeapLogEntries all = entries(1, 1, 1, 2, 2, 2, 4, 4, 5, 5, 5, 5);
        storage.append(HeapLogEntries.copyOf(all, 0, 1));
        storage.append(HeapLogEntries.copyOf(all, 1, 4));
        storage.append(HeapLogEntries.copyOf(all, 5, 0)); // empty append at last + 1
        storage.append(HeapLogEntries.copyOf(all, 5, 7));

        assertThat(readAll(1)).isEqualTo(all);
        assertThat(readAll(4)).isEqualTo(HeapLogEntries.copyOf(all, 3, 9));
    }

    @Test
    void readStopsAtMaxCount() throws IOException {
        storage.saveVote(new Vote(1, 1));
        HeapLogEntries all = sameSizeEntries(10, 10);
        storage.append(all);

        assertThat(copy(storage.read(1, 3, Integer.MAX_VALUE))).isEqualTo(HeapLogEntries.copyOf(all, 0, 3));
        assertThat(copy(storage.read(4, 1, Integer.MAX_VALUE))).isEqualTo(HeapLogEntries.copyOf(all, 3, 1));
        assertThat(copy(storage.read(8, 5, Integer.MAX_VALUE))).isEqualTo(HeapLogEntries.copyOf(all, 7, 3));
    }

    @Test
    void readCapsPayloadBytesButReturnsAtLeastOneEntry() throws IOException {
        storage.saveVote(new Vote(1, 1));
        HeapLogEntries all = sameSizeEntries(10, 10);
        storage.append(all);

        assertThat(copy(storage.read(1, 100, 25))).isEqualTo(HeapLogEntries.copyOf(all, 0, 2));
        assertThat(copy(storage.read(1, 100, 30))).isEqualTo(HeapLogEntries.copyOf(all, 0, 3));
        assertThat(copy(storage.read(5, 100, 9))).isEqualTo(HeapLogEntries.copyOf(all, 4, 1));
        assertThat(copy(storage.read(5, 100, 0))).isEqualTo(HeapLogEntries.copyOf(all, 4, 1));
        assertThat(copy(storage.read(5, 2, 1000))).isEqualTo(HeapLogEntries.copyOf(all, 4, 2));
    }

    @Test
    void anEntryBiggerThanMaxBytesIsStillReturnedAlone() throws IOException {
        storage.saveVote(new Vote(1, 1));
        HeapLogEntries all = HeapLogEntries.builder(1)
                .add(1, EntryKind.COMMAND, new byte[1000])
                .add(1, EntryKind.COMMAND, new byte[0])
                .build();
        storage.append(all);
        assertThat(copy(storage.read(1, 10, 10))).isEqualTo(HeapLogEntries.copyOf(all, 0, 1));
    }

    @Test
    void emptyPayloadsDoNotCountAgainstMaxBytes() throws IOException {
        storage.saveVote(new Vote(1, 1));
        storage.append(entries(1, 1, 1));
        HeapLogEntries empties = HeapLogEntries.builder(4)
                .add(1, EntryKind.NOOP, new byte[0])
                .add(1, EntryKind.NOOP, new byte[0])
                .build();
        storage.append(empties);
        assertThat(copy(storage.read(4, 10, 0))).isEqualTo(empties);
    }

    @Test
    void readBeyondTheLastEntryIsEmpty() throws IOException {
        storage.saveVote(new Vote(1, 1));
        storage.append(entries(1, 1, 1));

        LogEntries atNext = storage.read(4, 10, Integer.MAX_VALUE);
        assertThat(atNext.count()).isZero();
        assertThat(atNext.firstIndex()).isEqualTo(4);
        assertThat(storage.read(100, 10, Integer.MAX_VALUE).count()).isZero();
    }

    @Test
    void termAtCoversTheBaseTheEntriesAndNothingElse() throws IOException {
        storage.saveVote(new Vote(3, 1));
        storage.append(entries(1, 1, 2, 3, 3));
        assertThat(storage.termAt(0)).isZero();
        assertThat(storage.termAt(1)).isEqualTo(1);
        assertThat(storage.termAt(3)).isEqualTo(2);
        assertThat(storage.termAt(5)).isEqualTo(3);
        assertThat(storage.termAt(6)).isEqualTo(-1);
        assertThat(storage.termAt(1000)).isEqualTo(-1);

        storage.purgePrefix(3);
        assertThat(storage.termAt(3)).isEqualTo(2);
        assertThat(storage.termAt(2)).isEqualTo(-1);
        assertThat(storage.termAt(0)).isEqualTo(-1);
        assertThat(storage.termAt(4)).isEqualTo(3);
    }

    // ------------------------------------------------------------------ rejected appends

    @Test
    void appendNotRightAfterTheLastEntryIsRejected() throws IOException {
        storage.saveVote(new Vote(1, 1));
        HeapLogEntries first = entries(1, 1, 1);
        storage.append(first);

        assertThatThrownBy(() -> storage.append(entriesFrom(5, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.append(entriesFrom(3, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.append(entriesFrom(1, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.append(LogEntries.empty(6))).isInstanceOf(IllegalArgumentException.class);

        assertThat(readAll(1)).isEqualTo(first);
        storage.append(entriesFrom(4, 1)); // still usable
        assertThat(storage.termAt(4)).isEqualTo(1);
    }

    @Test
    void appendWithDecreasingTermsIsRejected() throws IOException {
        storage.saveVote(new Vote(3, 1));
        storage.append(entries(2, 2));

        assertThatThrownBy(() -> storage.append(entriesFrom(3, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.append(entriesFrom(3, 3, 2))).isInstanceOf(IllegalArgumentException.class);

        assertThat(storage.termAt(3)).isEqualTo(-1);
        assertThat(storage.read(3, 10, Integer.MAX_VALUE).count()).isZero();
    }

    // ------------------------------------------------------------------ truncate

    @Test
    void truncateThenAppendReusesIndexesAndReadsReturnTheNewest() throws IOException {
        storage.saveVote(new Vote(2, 1));
        storage.append(entriesFrom(1, "a", 1, 1, 1));
        storage.truncateSuffix(1);
        assertThat(storage.termAt(1)).isEqualTo(-1);
        assertThat(storage.read(1, 10, Integer.MAX_VALUE).count()).isZero();

        storage.append(entriesFrom(1, "b", 2, 2, 2));
        storage.truncateSuffix(1);
        HeapLogEntries third = entriesFrom(1, "c", 1, 1, 1); // same LogIds as the first: ABA
        storage.append(third);

        assertThat(readAll(1)).isEqualTo(third);
        assertThat(storage.termAt(3)).isEqualTo(1);
        assertThat(storage.termAt(4)).isEqualTo(-1);
    }

    @Test
    void truncateInTheMiddleKeepsThePrefix() throws IOException {
        storage.saveVote(new Vote(3, 1));
        HeapLogEntries all = entries(1, 1, 2, 2, 2);
        storage.append(all);
        storage.truncateSuffix(4);
        assertThat(readAll(1)).isEqualTo(HeapLogEntries.copyOf(all, 0, 3));
        assertThat(storage.termAt(4)).isEqualTo(-1);

        HeapLogEntries replacement = entriesFrom(4, "new", 3, 3);
        storage.append(replacement);
        assertThat(readAll(4)).isEqualTo(replacement);
        assertThat(readAll(3)).isEqualTo(concat(HeapLogEntries.copyOf(all, 2, 1), replacement));
    }

    @Test
    void truncateAtLastPlusOneChangesNothing() throws IOException {
        storage.saveVote(new Vote(1, 1));
        HeapLogEntries all = entries(1, 1);
        storage.append(all);
        storage.truncateSuffix(3);
        assertThat(readAll(1)).isEqualTo(all);
    }

    @Test
    void truncateOutsideBaseToLastPlusOneIsRejected() throws IOException {
        storage.saveVote(new Vote(1, 1));
        HeapLogEntries all = entries(1, 1, 1, 1);
        storage.append(all);
        storage.purgePrefix(2);

        assertThatThrownBy(() -> storage.truncateSuffix(2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.truncateSuffix(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.truncateSuffix(6)).isInstanceOf(IllegalArgumentException.class);
        assertThat(readAll(3)).isEqualTo(HeapLogEntries.copyOf(all, 2, 2));
    }

    // ------------------------------------------------------------------ purge

    @Test
    void purgeMovesTheBaseAndReadsBelowItFail() throws IOException {
        storage.saveVote(new Vote(2, 1));
        HeapLogEntries all = entries(1, 1, 1, 2, 2, 2);
        storage.append(all);
        storage.purgePrefix(4);

        assertThat(storage.termAt(4)).isEqualTo(2);
        assertThatThrownBy(() -> storage.read(4, 10, Integer.MAX_VALUE)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.read(1, 10, Integer.MAX_VALUE)).isInstanceOf(IOException.class);
        assertThat(readAll(5)).isEqualTo(HeapLogEntries.copyOf(all, 4, 2));
        storage.append(entriesFrom(7, 2));
        assertThat(storage.termAt(7)).isEqualTo(2);
    }

    @Test
    void purgeUpToTheLastEntryEmptiesTheLogButKeepsItsPosition() throws IOException {
        storage.saveVote(new Vote(2, 1));
        storage.append(entries(1, 2, 2));
        storage.purgePrefix(3);

        assertThat(storage.termAt(3)).isEqualTo(2);
        assertThat(storage.termAt(4)).isEqualTo(-1);
        LogEntries next = storage.read(4, 10, Integer.MAX_VALUE);
        assertThat(next.count()).isZero();
        assertThat(next.firstIndex()).isEqualTo(4);
        assertThatThrownBy(() -> storage.append(entriesFrom(1, 2))).isInstanceOf(IllegalArgumentException.class);
        HeapLogEntries more = entriesFrom(4, 2, 2);
        storage.append(more);
        assertThat(readAll(4)).isEqualTo(more);
    }

    @Test
    void purgeBeyondTheLastEntryIsRejected() throws IOException {
        storage.saveVote(new Vote(1, 1));
        HeapLogEntries all = entries(1, 1);
        storage.append(all);
        assertThatThrownBy(() -> storage.purgePrefix(3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(readAll(1)).isEqualTo(all);
    }

    @Test
    void truncateEverythingAfterThePurgedBase() throws IOException {
        storage.saveVote(new Vote(2, 1));
        storage.append(entries(1, 1, 2, 2));
        storage.purgePrefix(2);
        storage.truncateSuffix(3);
        assertThat(storage.termAt(2)).isEqualTo(1);
        assertThat(storage.termAt(3)).isEqualTo(-1);
        assertThat(storage.read(3, 10, Integer.MAX_VALUE).count()).isZero();
        storage.append(entriesFrom(3, 2));
        assertThat(storage.termAt(3)).isEqualTo(2);
    }

    // ------------------------------------------------------------------ reset

    @Test
    void resetBeyondTheLastEntryEmptiesTheLogAtTheNewBase() throws IOException {
        storage.saveVote(new Vote(5, 1));
        storage.append(entries(1, 1, 2));
        storage.resetTo(new LogId(4, 10));

        assertThat(storage.termAt(10)).isEqualTo(4);
        assertThat(storage.termAt(11)).isEqualTo(-1);
        assertThat(storage.termAt(3)).isEqualTo(-1);
        assertThat(storage.termAt(1)).isEqualTo(-1);
        assertThatThrownBy(() -> storage.read(10, 10, Integer.MAX_VALUE)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.read(3, 10, Integer.MAX_VALUE)).isInstanceOf(IOException.class);
        LogEntries next = storage.read(11, 10, Integer.MAX_VALUE);
        assertThat(next.count()).isZero();
        assertThat(next.firstIndex()).isEqualTo(11);

        assertThatThrownBy(() -> storage.append(entriesFrom(4, 5))).isInstanceOf(IllegalArgumentException.class);
        HeapLogEntries more = entriesFrom(11, "new", 4, 5, 5);
        storage.append(more);
        assertThat(readAll(11)).isEqualTo(more);
        assertThat(storage.termAt(13)).isEqualTo(5);
    }

    @Test
    void resetInsideTheLogDropsTheEntriesOnBothSidesOfTheNewBase() throws IOException {
        storage.saveVote(new Vote(3, 1));
        storage.append(entriesFrom(1, "old", 1, 1, 2, 2, 2, 2));
        storage.resetTo(new LogId(3, 4)); // the new base's term need not match the old entry 4

        assertThat(storage.termAt(4)).isEqualTo(3);
        assertThat(storage.termAt(3)).isEqualTo(-1);
        assertThat(storage.termAt(5)).isEqualTo(-1);
        assertThat(storage.read(5, 10, Integer.MAX_VALUE).count()).isZero();
        assertThatThrownBy(() -> storage.read(4, 10, Integer.MAX_VALUE)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.append(entriesFrom(7, 3))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.append(entriesFrom(5, 2))).as("a term below the base's")
                .isInstanceOf(IllegalArgumentException.class);

        HeapLogEntries replacement = entriesFrom(5, "new", 3, 3);
        storage.append(replacement);
        assertThat(readAll(5)).isEqualTo(replacement);
        assertThat(storage.termAt(6)).isEqualTo(3);
        assertThat(storage.termAt(7)).isEqualTo(-1);
    }

    @Test
    void resetAtTheBaseEmptiesTheLogAndKeepsItsPosition() throws IOException {
        storage.saveVote(new Vote(2, 1));
        storage.append(entries(1, 1, 2, 2));
        storage.purgePrefix(2);
        storage.resetTo(new LogId(1, 2));

        assertThat(storage.termAt(2)).isEqualTo(1);
        assertThat(storage.termAt(3)).isEqualTo(-1);
        assertThat(storage.read(3, 10, Integer.MAX_VALUE).count()).isZero();
        HeapLogEntries more = entriesFrom(3, "new", 2);
        storage.append(more);
        assertThat(readAll(3)).isEqualTo(more);
    }

    @Test
    void resetOfANewLogMovesItsStart() throws IOException {
        storage.saveVote(new Vote(2, 1));
        storage.resetTo(LogId.ZERO); // at the base: nothing changes
        assertThat(storage.termAt(0)).isZero();
        storage.resetTo(new LogId(2, 100));
        assertThat(storage.termAt(100)).isEqualTo(2);
        assertThat(storage.termAt(0)).isEqualTo(-1);
        storage.append(entriesFrom(101, 2));
        assertThat(storage.termAt(101)).isEqualTo(2);
    }

    @Test
    void resetBeforeTheBaseIsRejected() throws IOException {
        storage.saveVote(new Vote(2, 1));
        HeapLogEntries all = entries(1, 1, 2, 2, 2);
        storage.append(all);
        storage.purgePrefix(3);

        assertThatThrownBy(() -> storage.resetTo(new LogId(1, 2))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.resetTo(LogId.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThat(storage.termAt(3)).isEqualTo(2);
        assertThat(readAll(4)).isEqualTo(HeapLogEntries.copyOf(all, 3, 2));
        storage.append(entriesFrom(6, 2)); // still usable
        assertThat(storage.termAt(6)).isEqualTo(2);
    }

    @Test
    void truncateAndPurgeWorkAfterAReset() throws IOException {
        storage.saveVote(new Vote(4, 1));
        storage.append(entries(1, 1, 1));
        storage.resetTo(new LogId(2, 20));
        storage.append(entriesFrom(21, "a", 2, 3, 3, 3));
        assertThatThrownBy(() -> storage.truncateSuffix(20)).isInstanceOf(IllegalArgumentException.class);
        storage.truncateSuffix(23);
        HeapLogEntries replacement = entriesFrom(23, "b", 4, 4);
        storage.append(replacement);
        storage.purgePrefix(22);

        assertThat(storage.termAt(22)).isEqualTo(3);
        assertThat(storage.termAt(21)).isEqualTo(-1);
        assertThat(readAll(23)).isEqualTo(replacement);
        storage.resetTo(new LogId(4, 24)); // inside again, at the last entry
        assertThat(storage.termAt(24)).isEqualTo(4);
        assertThat(storage.termAt(23)).isEqualTo(-1);
        assertThat(storage.read(25, 10, Integer.MAX_VALUE).count()).isZero();
    }

    // ------------------------------------------------------------------ vote

    @Test
    void voteGoingBackwardsIsRejected() throws IOException {
        storage.saveVote(new Vote(5, Vote.NONE));
        storage.saveVote(new Vote(5, 2));
        storage.saveVote(new Vote(5, 2)); // the same vote again is fine

        assertThatThrownBy(() -> storage.saveVote(new Vote(4, 2))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.saveVote(new Vote(5, 3))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.saveVote(new Vote(5, Vote.NONE))).isInstanceOf(IllegalStateException.class);

        storage.saveVote(new Vote(6, Vote.NONE));
        storage.saveVote(new Vote(8, 3));
    }

    // ------------------------------------------------------------------ restart

    @Test
    void savedVoteSurvivesAReopenWithoutFlush() throws Exception {
        storage.saveVote(new Vote(7, 3));
        storage = reopen(storage);
        opened = storage.open();
        assertThat(opened).isEqualTo(new LogState(new Vote(7, 3), LogId.ZERO, LogId.ZERO));
        assertThatThrownBy(() -> storage.saveVote(new Vote(7, 2))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void flushedEntriesSurviveAReopenExactly() throws Exception {
        storage.saveVote(new Vote(4, 2));
        HeapLogEntries entries = HeapLogEntries.builder(1)
                .add(1, EntryKind.NOOP, new byte[0])
                .add(1, EntryKind.COMMAND, bytes("x"))
                .add(3, EntryKind.COMMAND, allByteValues())
                .add(4, EntryKind.NOOP, new byte[0])
                .add(4, EntryKind.COMMAND, new byte[0])
                .build();
        storage.append(entries);
        storage.flush();

        storage = reopen(storage);
        opened = storage.open();
        assertThat(opened).isEqualTo(new LogState(new Vote(4, 2), LogId.ZERO, new LogId(4, 5)));
        assertThat(readAll(1)).isEqualTo(entries);
        storage.append(entriesFrom(6, 4));
        assertThat(storage.termAt(6)).isEqualTo(4);
    }

    @Test
    void flushedTruncationsAndPurgesSurviveAReopen() throws Exception {
        storage.saveVote(new Vote(3, 1));
        storage.append(entriesFrom(1, "old", 1, 1, 1, 1, 1, 1));
        storage.flush();
        storage.truncateSuffix(4);
        HeapLogEntries replacement = entriesFrom(4, "new", 3, 3);
        storage.append(replacement);
        storage.purgePrefix(2);
        storage.flush();

        storage = reopen(storage);
        opened = storage.open();
        assertThat(opened).isEqualTo(new LogState(new Vote(3, 1), new LogId(1, 2), new LogId(3, 5)));
        assertThat(storage.termAt(2)).isEqualTo(1);
        assertThatThrownBy(() -> storage.read(2, 10, Integer.MAX_VALUE)).isInstanceOf(IOException.class);
        assertThat(readAll(4)).isEqualTo(replacement);
        assertThat(copy(storage.read(3, 1, Integer.MAX_VALUE)).payloadBytes(0)).isEqualTo(bytes("old3"));
    }

    @Test
    void abaHistorySurvivesAReopen() throws Exception {
        storage.saveVote(new Vote(2, 1));
        storage.append(entriesFrom(1, "a", 1, 1));
        storage.flush();
        storage.truncateSuffix(1);
        storage.append(entriesFrom(1, "b", 2, 2));
        storage.flush();
        storage.truncateSuffix(1);
        HeapLogEntries third = entriesFrom(1, "c", 1, 1);
        storage.append(third);
        storage.flush();

        storage = reopen(storage);
        opened = storage.open();
        assertThat(opened.last()).isEqualTo(new LogId(1, 2));
        assertThat(readAll(1)).isEqualTo(third);
    }

    @Test
    void fullyPurgedLogSurvivesAReopen() throws Exception {
        storage.saveVote(new Vote(2, 1));
        storage.append(entries(1, 2, 2));
        storage.purgePrefix(3);
        storage.flush();

        storage = reopen(storage);
        opened = storage.open();
        assertThat(opened).isEqualTo(new LogState(new Vote(2, 1), new LogId(2, 3), new LogId(2, 3)));
        assertThat(storage.termAt(3)).isEqualTo(2);
        storage.append(entriesFrom(4, 2));
        assertThat(storage.termAt(4)).isEqualTo(2);
    }

    @Test
    void flushedResetBeyondTheLastEntrySurvivesAReopen() throws Exception {
        storage.saveVote(new Vote(5, 1));
        storage.append(entries(1, 1, 2));
        storage.flush();
        storage.resetTo(new LogId(4, 10));
        storage.flush();

        storage = reopen(storage);
        opened = storage.open();
        assertThat(opened).isEqualTo(new LogState(new Vote(5, 1), new LogId(4, 10), new LogId(4, 10)));
        assertThat(storage.termAt(10)).isEqualTo(4);
        assertThat(storage.termAt(3)).isEqualTo(-1);
        assertThat(storage.read(11, 10, Integer.MAX_VALUE).count()).isZero();
        HeapLogEntries more = entriesFrom(11, 5);
        storage.append(more);
        assertThat(readAll(11)).isEqualTo(more);
    }

    @Test
    void flushedResetInsideTheLogAndLaterAppendsSurviveAReopen() throws Exception {
        storage.saveVote(new Vote(3, 1));
        storage.append(entriesFrom(1, "old", 1, 1, 2, 2, 2, 2));
        storage.flush();
        storage.resetTo(new LogId(3, 4));
        HeapLogEntries replacement = entriesFrom(5, "new", 3, 3);
        storage.append(replacement);
        storage.flush();

        storage = reopen(storage);
        opened = storage.open();
        assertThat(opened).isEqualTo(new LogState(new Vote(3, 1), new LogId(3, 4), new LogId(3, 6)));
        assertThat(storage.termAt(4)).isEqualTo(3);
        assertThatThrownBy(() -> storage.read(4, 10, Integer.MAX_VALUE)).isInstanceOf(IOException.class);
        assertThat(readAll(5)).isEqualTo(replacement);
    }

    @Test
    void flushedResetsTruncationsAndPurgesSurviveAReopen() throws Exception {
        storage.saveVote(new Vote(4, 1));
        storage.append(entries(1, 1, 1, 1));
        storage.purgePrefix(1);
        storage.resetTo(new LogId(1, 2)); // inside, at the entry after the base
        storage.resetTo(new LogId(2, 30));
        storage.append(entriesFrom(31, "a", 2, 2, 3));
        storage.truncateSuffix(32);
        HeapLogEntries replacement = entriesFrom(32, "b", 4, 4, 4);
        storage.append(replacement);
        storage.purgePrefix(32);
        storage.flush();

        storage = reopen(storage);
        opened = storage.open();
        assertThat(opened).isEqualTo(new LogState(new Vote(4, 1), new LogId(4, 32), new LogId(4, 34)));
        assertThat(readAll(33)).isEqualTo(HeapLogEntries.copyOf(replacement, 1, 2));
        storage.resetTo(new LogId(4, 40));
        storage.flush();

        storage = reopen(storage);
        opened = storage.open();
        assertThat(opened).isEqualTo(new LogState(new Vote(4, 1), new LogId(4, 40), new LogId(4, 40)));
    }

    // ------------------------------------------------------------------ helpers

    /** Reads every entry from {@code fromIndex}, in one call with no limits, as a comparable copy. */
    protected HeapLogEntries readAll(long fromIndex) throws IOException {
        return copy(storage.read(fromIndex, Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    /** A value-comparable copy of a view. */
    protected static HeapLogEntries copy(LogEntries view) {
        return HeapLogEntries.copyOf(view);
    }

    /** Entries from index 1 with the given terms, COMMAND kind and payload {@code "e" + index}. */
    protected static HeapLogEntries entries(long... terms) {
        return entriesFrom(1, "e", terms);
    }

    /** Entries from {@code firstIndex} with the given terms and payload {@code "e" + index}. */
    protected static HeapLogEntries entriesFrom(long firstIndex, long... terms) {
        return entriesFrom(firstIndex, "e", terms);
    }

    /** Entries from {@code firstIndex} with the given terms and payload {@code prefix + index}. */
    protected static HeapLogEntries entriesFrom(long firstIndex, String prefix, long... terms) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(firstIndex);
        for (int i = 0; i < terms.length; i++) {
            builder.add(terms[i], EntryKind.COMMAND, bytes(prefix + (firstIndex + i)));
        }
        return builder.build();
    }

    private static HeapLogEntries sameSizeEntries(int count, int payloadSize) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(1);
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[payloadSize];
            payload[0] = (byte) i;
            builder.add(1, i % 3 == 0 ? EntryKind.NOOP : EntryKind.COMMAND, payload);
        }
        return builder.build();
    }

    private static HeapLogEntries concat(HeapLogEntries a, HeapLogEntries b) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(a.firstIndex());
        for (HeapLogEntries part : new HeapLogEntries[] {a, b}) {
            for (int i = 0; i < part.count(); i++) {
                builder.add(part.termAt(i), part.kindAt(i), part.payloadBytes(i));
            }
        }
        return builder.build();
    }

    private static byte[] allByteValues() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
