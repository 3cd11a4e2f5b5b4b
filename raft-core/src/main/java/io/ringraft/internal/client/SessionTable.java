package io.ringraft.internal.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replicated table of client sessions. Deterministic: it changes only through entries applied in
 * log order, and its clock is the log time (the largest leader time stamped into an applied entry),
 * never a replica's clock. Sessions are kept in the order of their last activity, so expiry looks at
 * the oldest first. Bounded: at most {@code maxSessions} sessions (a register beyond is refused) and
 * {@code maxResultsPerSession} cached results each. Applier thread only.
 */
public final class SessionTable {

    private static final int SNAPSHOT_MAGIC = 0x52525353; // "RRSS"
    private static final int SNAPSHOT_VERSION = 1;

    private final int maxSessions;
    private final int maxResultsPerSession;
    private final long timeoutMillis;
    private final LinkedHashMap<Long, ClientSession> sessions = new LinkedHashMap<>();
    private long logTimeMillis = Long.MIN_VALUE;

    /**
     * @param maxSessions          most sessions at once
     * @param maxResultsPerSession most unacknowledged results a session keeps
     * @param timeoutMillis        a session idle this long in log time expires
     */
    public SessionTable(int maxSessions, int maxResultsPerSession, long timeoutMillis) {
        this.maxSessions = maxSessions;
        this.maxResultsPerSession = maxResultsPerSession;
        this.timeoutMillis = timeoutMillis;
    }

    int maxResultsPerSession() {
        return maxResultsPerSession;
    }

    /** {@return the log time: the largest time stamped into an applied entry} */
    public long logTimeMillis() {
        return logTimeMillis;
    }

    /** {@return how many sessions are open} */
    public int size() {
        return sessions.size();
    }

    /** Moves the log time to {@code stamped} if later, and expires every session idle too long by it. */
    void advance(long stamped) {
        if (stamped > logTimeMillis) {
            logTimeMillis = stamped;
        }
        Iterator<ClientSession> oldest = sessions.values().iterator();
        while (oldest.hasNext()) {
            ClientSession session = oldest.next();
            if (logTimeMillis - session.lastActiveMillis <= timeoutMillis) {
                break; // ordered by last activity: the rest are younger
            }
            oldest.remove();
        }
    }

    /** Opens session {@code clientId}; false if the table is full. */
    boolean open(long clientId) {
        if (sessions.size() >= maxSessions) {
            return false;
        }
        sessions.put(clientId, new ClientSession(clientId, logTimeMillis));
        return true;
    }

    /** {@return the session, touched (now the youngest), or null if it is not open} */
    ClientSession touch(long clientId) {
        ClientSession session = sessions.remove(clientId);
        if (session != null) {
            session.lastActiveMillis = logTimeMillis;
            sessions.put(clientId, session);
        }
        return session;
    }

    void close(long clientId) {
        sessions.remove(clientId);
    }

    /** {@return a copy for a snapshot (the cached bytes are shared: they never change)} */
    public SessionTable copy() {
        SessionTable copy = new SessionTable(maxSessions, maxResultsPerSession, timeoutMillis);
        copy.logTimeMillis = logTimeMillis;
        for (ClientSession session : sessions.values()) {
            copy.sessions.put(session.clientId, session.copy());
        }
        return copy;
    }

    /**
     * Writes the table, in activity order, ahead of the wrapped state machine's snapshot.
     *
     * @param out the snapshot's stream
     * @throws IOException if writing failed
     */
    public void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeInt(SNAPSHOT_VERSION);
        out.writeLong(logTimeMillis);
        out.writeInt(sessions.size());
        for (ClientSession session : sessions.values()) {
            out.writeLong(session.clientId);
            out.writeLong(session.lastActiveMillis);
            out.writeLong(session.ackedBelow);
            out.writeInt(session.results.size());
            for (Map.Entry<Long, CachedResult> entry : session.results.entrySet()) {
                CachedResult result = entry.getValue();
                out.writeLong(entry.getKey());
                out.writeBoolean(result.rejected());
                if (result.rejected()) {
                    out.writeInt(result.code());
                    writeBytes(out, result.message() == null ? null : result.message().getBytes(StandardCharsets.UTF_8));
                } else {
                    writeBytes(out, result.result());
                }
            }
        }
    }

    /**
     * Replaces the table with the one {@link #writeTo} wrote. Sessions beyond this table's bounds
     * (a snapshot of a node configured larger) are kept: dropping them would break their
     * exactly-once promise; the table only refuses new ones until it is back within bounds.
     *
     * @param in the snapshot's stream, positioned at the table
     * @throws IOException if reading failed
     */
    public void readFrom(DataInputStream in) throws IOException {
        int magic = in.readInt();
        int version = in.readInt();
        if (magic != SNAPSHOT_MAGIC || version != SNAPSHOT_VERSION) {
            throw new IllegalStateException("snapshot does not start with a session table (magic "
                    + Integer.toHexString(magic) + ", version " + version + "): was it written by a state machine "
                    + "without a SessionStateMachine around it?");
        }
        sessions.clear();
        logTimeMillis = in.readLong();
        int count = in.readInt();
        List<ClientSession> read = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ClientSession session = new ClientSession(in.readLong(), in.readLong());
            session.ackedBelow = in.readLong();
            int results = in.readInt();
            for (int r = 0; r < results; r++) {
                long seq = in.readLong();
                boolean rejected = in.readBoolean();
                if (rejected) {
                    int code = in.readInt();
                    byte[] message = readBytes(in);
                    session.results.put(seq, new CachedResult(null, true, code,
                            message == null ? null : new String(message, StandardCharsets.UTF_8)));
                } else {
                    session.results.put(seq, new CachedResult(readBytes(in), false, 0, null));
                }
            }
            read.add(session);
        }
        for (ClientSession session : read) {
            sessions.put(session.clientId, session);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
