package io.ringraft.testkit.example;

import io.ringraft.testkit.Workload;
import java.util.SplittableRandom;

/** The clients of the {@link Ledger}: deposits, withdrawals and balance reads over three accounts. */
final class LedgerWorkload implements Workload<LedgerOp, LedgerResult> {

    private static final String[] ACCOUNTS = {"alice", "bob", "carol"};

    @Override
    public LedgerOp next(SplittableRandom random) {
        String account = ACCOUNTS[random.nextInt(ACCOUNTS.length)];
        return switch (random.nextInt(3)) {
            case 0 -> new LedgerOp.Deposit(account, 1 + random.nextInt(100));
            case 1 -> new LedgerOp.Withdraw(account, 1 + random.nextInt(100));
            default -> new LedgerOp.Balance(account);
        };
    }

    @Override
    public byte[] encode(LedgerOp operation) {
        return LedgerOp.encode(operation);
    }

    @Override
    public LedgerResult decode(LedgerOp operation, Object result) {
        return (LedgerResult) result;
    }

    @Override
    public boolean isReadOnly(LedgerOp operation) {
        return operation instanceof LedgerOp.Balance;
    }
}
