/**
 * RingRaft core: public API, SPIs and message records. Everything else is internal.
 */
module io.ringraft.core {
    // Only RaftNode.agents() (Agrona's Agent, for external scheduling) shows Agrona in the API; payloads
    // are io.ringraft.api.Bytes. Nothing used from Agrona or JCTools needs a JVM option (docs/architecture.md).
    requires transitive org.agrona;
    requires org.jctools.core;
    requires org.slf4j;

    exports io.ringraft.api;
    exports io.ringraft.api.client;
    exports io.ringraft.message;
    exports io.ringraft.spi;
    exports io.ringraft.local;
    exports io.ringraft.messaging;

    // The simulator (raft-testkit) steps a node's tasks itself and reads the engine's state to check Raft's
    // invariants; its disk is the simulated one. Nobody else sees these packages.
    exports io.ringraft.internal.runtime to io.ringraft.testkit;
    exports io.ringraft.internal.engine to io.ringraft.testkit;
    exports io.ringraft.internal.simdisk to io.ringraft.testkit;

    uses io.ringraft.api.client.RaftClientFactory;
}
