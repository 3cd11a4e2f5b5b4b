package io.ringraft.testkit.example;

import io.ringraft.testkit.Model;

/**
 * The ledger as a sequential object, for one account (the history is partitioned by account): the
 * state is the balance.
 */
final class LedgerModel implements Model<Long, LedgerOp, LedgerResult> {

    @Override
    public Long init() {
        return 0L;
    }

    @Override
    public Long step(Long balance, LedgerOp op, LedgerResult result) {
        LedgerResult expected = resultOf(balance, op);
        return expected.equals(result) ? after(balance, op) : null;
    }

    @Override
    public Long stepUnknown(Long balance, LedgerOp op) {
        return after(balance, op);
    }

    private static LedgerResult resultOf(long balance, LedgerOp op) {
        if (op instanceof LedgerOp.Deposit deposit) {
            return new LedgerResult(true, balance + deposit.amount());
        }
        if (op instanceof LedgerOp.Withdraw withdraw) {
            return balance < withdraw.amount() ? new LedgerResult(false, balance)
                    : new LedgerResult(true, balance - withdraw.amount());
        }
        return new LedgerResult(true, balance);
    }

    private static long after(long balance, LedgerOp op) {
        return resultOf(balance, op).balance();
    }
}
