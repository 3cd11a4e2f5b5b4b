package io.ringraft.testkit.exactlyonce;

import io.ringraft.api.client.SessionCommands;
import io.ringraft.testkit.Workload;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Clients of a counter behind {@code SessionStateMachine}: they open a few sessions, add in them with
 * increasing sequence numbers, and resend earlier adds (a retry after a timeout or a lost answer, a
 * duplicate while the first is still in flight, or a late one after newer commands: reordered). Under
 * the simulator's nemesis the requests are also dropped, duplicated and delayed on the network and
 * cross leader changes and crashes. The sessions' clock is constant: they never expire.
 */
final class SessionClients implements Workload<SessionOp, Long> {

    private static final int MAX_SESSIONS = 4;
    private static final int RETRY_WINDOW = 16;

    private final List<Long> sessions = new ArrayList<>();
    private final Map<Long, Long> nextSeq = new HashMap<>();
    private final List<SessionOp.Add> sent = new ArrayList<>();

    @Override
    public SessionOp next(SplittableRandom random) {
        if (sessions.isEmpty() || sessions.size() < MAX_SESSIONS && random.nextInt(20) == 0) {
            return new SessionOp.Register();
        }
        int roll = random.nextInt(10);
        if (roll < 2) {
            return new SessionOp.Read();
        }
        if (roll < 5 && !sent.isEmpty()) {
            int from = Math.max(0, sent.size() - RETRY_WINDOW);
            return sent.get(from + random.nextInt(sent.size() - from));
        }
        long clientId = sessions.get(random.nextInt(sessions.size()));
        long seq = nextSeq.merge(clientId, 1L, Long::sum);
        SessionOp.Add add = new SessionOp.Add(clientId, seq, 1 + random.nextInt(9));
        sent.add(add);
        return add;
    }

    @Override
    public byte[] encode(SessionOp op) {
        if (op instanceof SessionOp.Register) {
            return SessionCommands.register(1);
        }
        if (op instanceof SessionOp.Add add) {
            return SessionCommands.command(add.clientId(), add.seq(), 1, 1, CounterMachine.bytes(add.amount()));
        }
        return SessionCommands.plain(new byte[0]);
    }

    @Override
    public Long decode(SessionOp op, Object result) {
        long value = ByteBuffer.wrap((byte[]) result).getLong();
        if (op instanceof SessionOp.Register && !sessions.contains(value)) {
            sessions.add(value);
            nextSeq.put(value, 0L);
        }
        return value;
    }

    @Override
    public boolean isReadOnly(SessionOp op) {
        return op instanceof SessionOp.Read;
    }
}
