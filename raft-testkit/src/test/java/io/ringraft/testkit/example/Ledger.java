package io.ringraft.testkit.example;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.testkit.StateDigest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * A user's state machine, written as any RingRaft user writes one: accounts with balances, deposits,
 * withdrawals that fail when the balance is short, balance reads (through the log or as linearizable
 * reads), and snapshots. It also implements {@link StateDigest}, so the simulator compares replicas
 * state for state.
 */
class Ledger implements StateMachine, StateDigest {

    /** Balances by account; accounts never seen hold 0. */
    protected final Map<String, Long> balances = new TreeMap<>();

    @Override
    public void apply(LogEntries commands, ApplyResults results) {
        for (int i = 0; i < commands.count(); i++) {
            results.set(i, execute(LedgerOp.decode(commands.payloadAt(i).toByteArray())));
        }
    }

    /** Applies one operation. */
    protected LedgerResult execute(LedgerOp op) {
        long balance = balances.getOrDefault(op.account(), 0L);
        if (op instanceof LedgerOp.Deposit deposit) {
            balances.put(op.account(), balance + deposit.amount());
            return new LedgerResult(true, balance + deposit.amount());
        }
        if (op instanceof LedgerOp.Withdraw withdraw) {
            if (balance < withdraw.amount()) {
                return new LedgerResult(false, balance);
            }
            balances.put(op.account(), balance - withdraw.amount());
            return new LedgerResult(true, balance - withdraw.amount());
        }
        return new LedgerResult(true, balance);
    }

    @Override
    public Object query(Bytes query) {
        LedgerOp op = LedgerOp.decode(query.toByteArray());
        return new LedgerResult(true, balances.getOrDefault(op.account(), 0L));
    }

    @Override
    public Snapshot snapshot() {
        Map<String, Long> copy = new TreeMap<>(balances);
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(copy.size());
            for (Map.Entry<String, Long> entry : copy.entrySet()) {
                data.writeUTF(entry.getKey());
                data.writeLong(entry.getValue());
            }
            data.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        balances.clear();
        int size = data.readInt();
        for (int i = 0; i < size; i++) {
            balances.put(data.readUTF(), data.readLong());
        }
    }

    @Override
    public long stateDigest() {
        return balances.hashCode();
    }
}
