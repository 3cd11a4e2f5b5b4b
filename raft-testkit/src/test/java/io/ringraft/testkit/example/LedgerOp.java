package io.ringraft.testkit.example;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** An operation on one account of the {@link Ledger}: what the clients ask, as the model sees it. */
sealed interface LedgerOp {

    /** The account the operation touches. */
    String account();

    /** Adds {@code amount} to the account; the result is the new balance. */
    record Deposit(String account, long amount) implements LedgerOp {
    }

    /** Takes {@code amount} from the account if it holds that much; the result says whether, and the balance after. */
    record Withdraw(String account, long amount) implements LedgerOp {
    }

    /** Reads the account's balance. */
    record Balance(String account) implements LedgerOp {
    }

    /** The command bytes: a type byte, the amount, the account's name. */
    static byte[] encode(LedgerOp op) {
        byte[] name = op.account().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(1 + Long.BYTES + name.length);
        if (op instanceof Deposit deposit) {
            buffer.put((byte) 1).putLong(deposit.amount());
        } else if (op instanceof Withdraw withdraw) {
            buffer.put((byte) 2).putLong(withdraw.amount());
        } else {
            buffer.put((byte) 3).putLong(0);
        }
        return buffer.put(name).array();
    }

    /** Decodes what {@link #encode} wrote. */
    static LedgerOp decode(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte type = buffer.get();
        long amount = buffer.getLong();
        String account = new String(bytes, buffer.position(), buffer.remaining(), StandardCharsets.UTF_8);
        return switch (type) {
            case 1 -> new Deposit(account, amount);
            case 2 -> new Withdraw(account, amount);
            case 3 -> new Balance(account);
            default -> throw new IllegalArgumentException("unknown ledger operation " + type);
        };
    }
}
