package io.ringraft.examples.kv;

import io.ringraft.api.client.SessionStateMachine;

/**
 * The KV state machine as every node runs it: a {@link KvStateMachine} inside a
 * {@link SessionStateMachine}, so {@code RaftClient}s get exactly-once writes (their answers in RESP,
 * {@link KvClientResults}); the Redis server proposes its commands as plain envelopes. Stateless.
 */
final class KvSessions {

    private KvSessions() {
    }

    static SessionStateMachine newStateMachine() {
        return SessionStateMachine.wrap(new KvStateMachine()).resultEncoder(KvClientResults::encode).build();
    }
}
