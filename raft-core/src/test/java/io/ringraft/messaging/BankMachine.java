package io.ringraft.messaging;

import io.ringraft.api.Bytes;
import io.ringraft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * A test bank: accounts of one group, and transfers to accounts of this or another group. A transfer to
 * another group debits here and emits the credit; {@link #receive} credits it there. The state also counts,
 * per pair of groups, the messages and money sent and received, so a checker can tell how much money is in
 * flight (sent minus received) from the replicated states alone. {@link #receive} checks for itself that
 * messages come exactly once and in order: the i-th message from a source must carry ordinal i.
 */
public final class BankMachine implements MessagingStateMachine {

    /** Result of a transfer that debited: 1; short balance: 0. */
    public static final long DONE = 1;
    public static final long SHORT = 0;
    /** Rejection code when the outbox is full. */
    public static final int OUTBOX_FULL = 7;

    private final long groupId;
    private TreeMap<Long, Long> balances = new TreeMap<>();
    /** Per target group: messages and money sent. */
    private TreeMap<Long, long[]> sent = new TreeMap<>();
    /** Per source group: messages and money received. */
    private TreeMap<Long, long[]> received = new TreeMap<>();

    /** Group {@code groupId}'s bank, with {@code accounts} accounts holding {@code initial} each. */
    public BankMachine(long groupId, int accounts, long initial) {
        this.groupId = groupId;
        for (long a = 0; a < accounts; a++) {
            balances.put(a, initial);
        }
    }

    /** A transfer command: {@code amount} from account {@code from} here to {@code toAccount} of {@code toGroup}. */
    public static byte[] transfer(long from, long toGroup, long toAccount, long amount) {
        return ByteBuffer.allocate(32).putLong(from).putLong(toGroup).putLong(toAccount).putLong(amount).array();
    }

    @Override
    public Object apply(Bytes command, ApplyContext context) {
        if (command.length() != 32) {
            context.reject(1, "not a transfer: " + command.length() + " bytes");
            return null;
        }
        long from = command.getLong(0);
        long toGroup = command.getLong(8);
        long toAccount = command.getLong(16);
        long amount = command.getLong(24);
        long balance = balances.getOrDefault(from, 0L);
        if (amount <= 0 || balance < amount) {
            return SHORT;
        }
        if (toGroup == groupId) {
            balances.put(from, balance - amount);
            balances.merge(toAccount, amount, Long::sum);
            return DONE;
        }
        long[] toTarget = sent.computeIfAbsent(toGroup, g -> new long[2]);
        byte[] payload = ByteBuffer.allocate(16).putLong(toTarget[0] + 1).putLong(amount).array();
        if (!context.emit(toGroup, ByteBuffer.allocate(8).putLong(toAccount).array(), payload)) {
            context.reject(OUTBOX_FULL, "outbox full");
            return null;
        }
        balances.put(from, balance - amount);
        toTarget[0]++;
        toTarget[1] += amount;
        return DONE;
    }

    @Override
    public void receive(InboundMessage message, ApplyContext context) {
        long[] fromSource = received.computeIfAbsent(message.sourceGroup(), g -> new long[2]);
        ByteBuffer payload = ByteBuffer.wrap(message.payload());
        long ordinal = payload.getLong();
        long amount = payload.getLong();
        if (ordinal != fromSource[0] + 1 || message.sequence() != ordinal) {
            throw new AssertionError("group " + groupId + " got message " + ordinal + " (sequence "
                    + message.sequence() + ") from group " + message.sourceGroup() + " after " + fromSource[0]);
        }
        fromSource[0]++;
        fromSource[1] += amount;
        balances.merge(ByteBuffer.wrap(message.key()).getLong(), amount, Long::sum);
    }

    @Override
    public Object query(Bytes query) {
        return balances.getOrDefault(query.getLong(0), 0L);
    }

    /** The sum of all balances. */
    public long total() {
        return balances.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Money sent to {@code target} so far. */
    public long sentTo(long target) {
        long[] s = sent.get(target);
        return s == null ? 0 : s[1];
    }

    /** Messages sent to {@code target} so far. */
    public long messagesSentTo(long target) {
        long[] s = sent.get(target);
        return s == null ? 0 : s[0];
    }

    /** Money received from {@code source} so far. */
    public long receivedFrom(long source) {
        long[] r = received.get(source);
        return r == null ? 0 : r[1];
    }

    /** Messages received from {@code source} so far. */
    public long messagesReceivedFrom(long source) {
        long[] r = received.get(source);
        return r == null ? 0 : r[0];
    }

    /** The balance of {@code account}. */
    public long balance(long account) {
        return balances.getOrDefault(account, 0L);
    }

    @Override
    public StateMachine.Snapshot snapshot() {
        TreeMap<Long, Long> b = new TreeMap<>(balances);
        TreeMap<Long, long[]> s = deepCopy(sent);
        TreeMap<Long, long[]> r = deepCopy(received);
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(b.size());
            for (Map.Entry<Long, Long> e : b.entrySet()) {
                data.writeLong(e.getKey());
                data.writeLong(e.getValue());
            }
            writeCounts(data, s);
            writeCounts(data, r);
            data.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        TreeMap<Long, Long> b = new TreeMap<>();
        int n = data.readInt();
        for (int i = 0; i < n; i++) {
            b.put(data.readLong(), data.readLong());
        }
        TreeMap<Long, long[]> s = readCounts(data);
        TreeMap<Long, long[]> r = readCounts(data);
        if (data.read() != -1) {
            throw new IOException("bank snapshot has trailing bytes");
        }
        balances = b;
        sent = s;
        received = r;
    }

    private static TreeMap<Long, long[]> deepCopy(TreeMap<Long, long[]> counts) {
        TreeMap<Long, long[]> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    private static void writeCounts(DataOutputStream data, TreeMap<Long, long[]> counts) throws IOException {
        data.writeInt(counts.size());
        for (Map.Entry<Long, long[]> e : counts.entrySet()) {
            data.writeLong(e.getKey());
            data.writeLong(e.getValue()[0]);
            data.writeLong(e.getValue()[1]);
        }
    }

    private static TreeMap<Long, long[]> readCounts(DataInputStream data) throws IOException {
        TreeMap<Long, long[]> counts = new TreeMap<>();
        int n = data.readInt();
        for (int i = 0; i < n; i++) {
            counts.put(data.readLong(), new long[] {data.readLong(), data.readLong()});
        }
        return counts;
    }
}
