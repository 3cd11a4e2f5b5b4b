package io.ringraft.testkit.example;

/**
 * What the {@link Ledger} answers: whether the operation took effect (a withdrawal may not) and the
 * account's balance after it. A record: the model compares results by value.
 */
record LedgerResult(boolean done, long balance) {
}
