/** A RingRaft service as a named module: RingRaft's modules on the module path, no JVM option. */
module com.example.ledger {
    requires io.ringraft.storage;
}
