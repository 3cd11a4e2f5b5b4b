package io.ringraft.net.netty.client;

import io.ringraft.api.client.ClientSettings;
import io.ringraft.api.client.RaftClient;
import io.ringraft.api.client.RaftClientFactory;

/**
 * Makes {@link RaftClient}s over Netty; found by {@code RaftClient.builder().build()} through
 * {@link java.util.ServiceLoader} (or give it to {@code RaftClient.Builder.factory}). Stateless;
 * thread-safe.
 */
public final class NettyRaftClientFactory implements RaftClientFactory {

    /** A factory (the service loader calls this). */
    public NettyRaftClientFactory() {
    }

    @Override
    public RaftClient create(ClientSettings settings) {
        return new NettyRaftClient(settings);
    }
}
