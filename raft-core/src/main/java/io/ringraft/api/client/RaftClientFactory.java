package io.ringraft.api.client;

/**
 * Makes {@link RaftClient}s over one transport: the service {@link RaftClient.Builder#build()} loads
 * ({@code java.util.ServiceLoader}; raft-net-netty provides one). Implementations are thread-safe.
 */
public interface RaftClientFactory {

    /**
     * {@return a client with these settings, ready to use}
     *
     * @param settings what the builder collected
     */
    RaftClient create(ClientSettings settings);
}
