package io.ringraft.internal.engine.harness;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A scripted network. Sent messages wait in an in-flight list until the harness delivers, drops or
 * duplicates them. A connectivity matrix of directed links models partitions: symmetric,
 * one-way, or partial. A message whose link is cut when it is sent, or when it would be delivered,
 * is lost.
 *
 * <p>For randomized runs it also carries fault rates (applied by the {@link Cluster}'s random step):
 * drop, duplicate (replay), and defer (hold a message back for a number of events: long reordering).
 */
public final class HarnessNetwork {

    /** A message in flight. {@code notBefore} is the event count before which random delivery skips it. */
    public record Envelope(long id, RaftMessage message, long notBefore) {
    }

    private final int size;
    private final boolean[][] link;
    private final List<Envelope> inFlight = new ArrayList<>();
    private long nextId;

    double dropRate;
    double duplicateRate;
    double deferRate;
    int deferMaxEvents = 400;

    private final Stats stats = new Stats();

    HarnessNetwork(int size) {
        this.size = size;
        this.link = new boolean[size + 1][size + 1];
        heal();
    }

    // ------------------------------------------------------------------ faults

    /** Sets the randomized-run fault rates. */
    public HarnessNetwork faults(double drop, double duplicate, double defer) {
        this.dropRate = drop;
        this.duplicateRate = duplicate;
        this.deferRate = defer;
        return this;
    }

    /** Reconnects every link. */
    public void heal() {
        for (int i = 1; i <= size; i++) {
            for (int j = 1; j <= size; j++) {
                link[i][j] = true;
            }
        }
    }

    /** Cuts every link to and from {@code id}. */
    public void isolate(long id) {
        for (int j = 1; j <= size; j++) {
            link[(int) id][j] = false;
            link[j][(int) id] = false;
        }
    }

    /** Cuts both directions between a and b. */
    public void cut(long a, long b) {
        link[(int) a][(int) b] = false;
        link[(int) b][(int) a] = false;
    }

    /** Cuts only the direction from -> to. */
    public void cutOneWay(long from, long to) {
        link[(int) from][(int) to] = false;
    }

    /** Connects both directions between a and b. */
    public void connect(long a, long b) {
        link[(int) a][(int) b] = true;
        link[(int) b][(int) a] = true;
    }

    /** Splits the cluster: nodes talk only within their group; nodes in no group are isolated. */
    public void partition(Collection<? extends Collection<Long>> groups) {
        for (int i = 1; i <= size; i++) {
            for (int j = 1; j <= size; j++) {
                link[i][j] = false;
            }
        }
        for (Collection<Long> group : groups) {
            for (long a : group) {
                for (long b : group) {
                    link[(int) a][(int) b] = true;
                }
            }
        }
    }

    public boolean linked(long from, long to) {
        return link[(int) from][(int) to];
    }

    /** True if every link is up. */
    public boolean isHealed() {
        for (int i = 1; i <= size; i++) {
            for (int j = 1; j <= size; j++) {
                if (!link[i][j]) {
                    return false;
                }
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ traffic

    /** Queues a message; it is lost at once if its link is cut. */
    void enqueue(RaftMessage message, long now, SplittableRandom random) {
        stats.sent++;
        if (!linked(message.from(), message.to())) {
            stats.lost++;
            return;
        }
        long notBefore = 0;
        if (deferRate > 0 && random.nextDouble() < deferRate) {
            notBefore = now + 1 + random.nextInt(deferMaxEvents);
            stats.deferred++;
        }
        inFlight.add(new Envelope(nextId++, message, notBefore));
    }

    /** Puts a (copy of a) message back in flight, as a network that replays packets would. */
    public void replay(RaftMessage message) {
        stats.duplicated(message);
        inFlight.add(new Envelope(nextId++, message, 0));
    }

    /** The messages in flight, oldest first (read-only snapshot). */
    public List<Envelope> inFlight() {
        return List.copyOf(inFlight);
    }

    public int inFlightCount() {
        return inFlight.size();
    }

    /** The in-flight messages matching {@code filter}, oldest first. */
    public List<Envelope> matching(Predicate<RaftMessage> filter) {
        List<Envelope> out = new ArrayList<>();
        for (Envelope e : inFlight) {
            if (filter.test(e.message())) {
                out.add(e);
            }
        }
        return out;
    }

    /** Removes {@code envelope} from flight; false if it is not in flight. */
    boolean remove(Envelope envelope) {
        return inFlight.remove(envelope);
    }

    Envelope removeAt(int index) {
        return inFlight.remove(index);
    }

    /** Drops every in-flight message matching {@code filter}; returns how many. */
    public int dropIf(Predicate<RaftMessage> filter) {
        int before = inFlight.size();
        inFlight.removeIf(e -> filter.test(e.message()));
        int dropped = before - inFlight.size();
        stats.lost += dropped;
        return dropped;
    }

    /** Index of a random in-flight message deliverable at {@code now}, or -1. */
    int pickRandom(long now, SplittableRandom random) {
        int n = inFlight.size();
        if (n == 0) {
            return -1;
        }
        int start = random.nextInt(n);
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (inFlight.get(i).notBefore() <= now) {
                return i;
            }
        }
        return -1;
    }

    public Stats stats() {
        return stats;
    }

    /** Counters over the life of the network. */
    public static final class Stats {
        long sent;
        long lost;
        long deferred;
        long duplicated;
        long delivered;
        long appendRequests;
        long appendRejections;
        long appendSuccesses;
        long voteRequests;
        long voteResponses;
        /** Duplicates per message type: AE request, AE response, vote request, vote response. */
        final long[] duplicatedByType = new long[4];

        void delivered(RaftMessage message) {
            delivered++;
            if (message instanceof AppendEntriesRequest) {
                appendRequests++;
            } else if (message instanceof AppendEntriesResponse r) {
                if (r.success()) {
                    appendSuccesses++;
                } else {
                    appendRejections++;
                }
            } else if (message instanceof VoteRequest) {
                voteRequests++;
            } else if (message instanceof VoteResponse) {
                voteResponses++;
            }
        }

        void duplicated(RaftMessage message) {
            duplicated++;
            duplicatedByType[typeIndex(message)]++;
        }

        static int typeIndex(RaftMessage message) {
            if (message instanceof AppendEntriesRequest) {
                return 0;
            } else if (message instanceof AppendEntriesResponse) {
                return 1;
            } else if (message instanceof VoteRequest) {
                return 2;
            }
            return 3;
        }

        public long sent() {
            return sent;
        }

        public long lost() {
            return lost;
        }

        public long delivered() {
            return delivered;
        }

        public long duplicated() {
            return duplicated;
        }

        public long deferred() {
            return deferred;
        }

        public long appendRequests() {
            return appendRequests;
        }

        public long appendRejections() {
            return appendRejections;
        }

        public long appendSuccesses() {
            return appendSuccesses;
        }

        public long voteRequests() {
            return voteRequests;
        }

        /** Duplicates of AE requests, AE responses, vote requests and vote responses, in that order. */
        public long[] duplicatedByType() {
            return duplicatedByType.clone();
        }

        @Override
        public String toString() {
            return "sent=" + sent + " delivered=" + delivered + " lost=" + lost + " duplicated=" + duplicated
                    + " deferred=" + deferred + " aeReq=" + appendRequests + " aeOk=" + appendSuccesses
                    + " aeReject=" + appendRejections + " voteReq=" + voteRequests + " voteResp=" + voteResponses;
        }
    }
}
