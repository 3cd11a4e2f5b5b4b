package io.ringraft.api.client;

import io.ringraft.api.Bytes;

/**
 * What the client protocol's server side ({@code ClientServer} in raft-net-netty) needs of a group whose
 * state machine keeps client sessions: reads of the state applied so far, and the bytes a client gets
 * for a result. Implemented by {@link SessionStateMachine} (around a {@code StateMachine}) and
 * {@link StreamingSessionStateMachine} (around a {@code StreamingStateMachine}); an application that
 * composes the session envelope with its own (the KV example's messaging groups) implements it too.
 * Called on the client server's event loops: implementations are thread-safe.
 */
public interface SessionWrapper {

    /**
     * Answers {@code query} from the state applied so far on this replica, without asking the leader
     * (the client's {@code ANY} and bounded reads). May wait for an apply batch in progress; must not
     * wait for anything slower.
     *
     * @param query the query
     * @return its answer, which {@link #encodeResult} turns into bytes
     */
    Object localQuery(Bytes query);

    /**
     * {@return the bytes a client gets for {@code result} (a query's answer; session commands' results
     * are encoded when they are applied)}
     *
     * @param result a result of the wrapped state machine
     * @throws IllegalStateException if {@code result} cannot be encoded
     */
    byte[] encodeResult(Object result);

    /** {@return how many client sessions are open on this replica (any thread; a moment's value)} */
    int sessionCount();

    /**
     * Proposes a session envelope ({@link SessionCommands}) on {@code node}, the group's leader: by default
     * {@code node.propose(sessionEnvelope)}; a group whose entries carry another envelope around the
     * session's (a messaging group, {@link SessionMessagingStateMachine#servedBy}) wraps it. Called on the
     * client server's event loops; must not block.
     *
     * @param node            the group's replica here (the leader)
     * @param sessionEnvelope the envelope to propose
     * @return completes as {@code RaftNode.propose}'s future does
     */
    default java.util.concurrent.CompletableFuture<Object> propose(io.ringraft.api.RaftNode node, byte[] sessionEnvelope) {
        return node.propose(sessionEnvelope);
    }
}
