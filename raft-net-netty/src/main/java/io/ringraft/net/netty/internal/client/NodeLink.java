package io.ringraft.net.netty.internal.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.ringraft.net.netty.internal.channel.PeerAddress;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client's connection to one node: connected on first use (and again after it closed), handshake in
 * the client role, requests matched to responses by request id. Each request waits at most its
 * attempt timeout; a closed connection fails every request waiting on it. The waiting requests are
 * bounded by the client's in-flight bound. Thread-safe.
 */
public final class NodeLink {

    private final long nodeId;
    private final PeerAddress address;
    private final Bootstrap bootstrap;
    private final Map<Long, CompletableFuture<ClientResponse>> pending = new ConcurrentHashMap<>();
    private final long handshakeTimeoutMillis;
    /** Open remote subscriptions through this link, by their SUBSCRIBE request id (at most one per subscription). */
    private final Map<Long, RemoteLogSubscription> subscriptions = new ConcurrentHashMap<>();
    private CompletableFuture<Channel> ready;

    NodeLink(long nodeId, PeerAddress address, Bootstrap bootstrap, long handshakeTimeoutMillis) {
        this.nodeId = nodeId;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.address = address;
        this.bootstrap = bootstrap;
    }

    long nodeId() {
        return nodeId;
    }

    /**
     * Sends {@code request}; the future completes with the answer, or fails with an {@link IOException}
     * (connection failed or lost: not delivered, or lost in flight) or a {@link TimeoutException}.
     */
    CompletableFuture<ClientResponse> send(ClientRequest request, long timeoutMillis) {
        CompletableFuture<ClientResponse> answer = new CompletableFuture<>();
        ready().whenComplete((channel, error) -> {
            if (error != null) {
                answer.completeExceptionally(error);
                return;
            }
            pending.put(request.requestId(), answer);
            channel.writeAndFlush(ClientCodec.encode(channel.alloc(), request)).addListener(write -> {
                if (!write.isSuccess() && pending.remove(request.requestId(), answer)) {
                    answer.completeExceptionally(new IOException("sending to node " + nodeId + " failed: "
                            + write.cause()));
                }
            });
            channel.eventLoop().schedule(() -> {
                if (pending.remove(request.requestId(), answer)) {
                    answer.completeExceptionally(new TimeoutException("node " + nodeId + " did not answer within "
                            + timeoutMillis + " ms"));
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
        });
        return answer;
    }

    /**
     * Sends {@code request}, which gets no answer (CREDIT, UNSUBSCRIBE) or is answered by a stream
     * (SUBSCRIBE, registered with {@link #register}); the future fails if the connection cannot be made or
     * the write failed.
     */
    CompletableFuture<Void> sendOneWay(ClientRequest request) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        ready().whenComplete((channel, error) -> {
            if (error != null) {
                sent.completeExceptionally(error);
                return;
            }
            channel.writeAndFlush(ClientCodec.encode(channel.alloc(), request)).addListener(write -> {
                if (write.isSuccess()) {
                    sent.complete(null);
                } else {
                    sent.completeExceptionally(new IOException("sending to node " + nodeId + " failed: " + write.cause()));
                }
            });
        });
        return sent;
    }

    void register(long requestId, RemoteLogSubscription subscription) {
        subscriptions.put(requestId, subscription);
    }

    void unregister(long requestId) {
        subscriptions.remove(requestId);
    }

    /** A batch of a subscription arrived (event loop). */
    void batch(SubscriptionBatch batch) {
        RemoteLogSubscription subscription = subscriptions.get(batch.requestId());
        if (subscription != null) {
            subscription.batch(this, batch);
        }
    }

    private synchronized CompletableFuture<Channel> ready() {
        if (ready != null) {
            return ready;
        }
        CompletableFuture<Channel> connecting = new CompletableFuture<>();
        ready = connecting;
        ChannelFuture connect = bootstrap.clone().attr(ClientLinkHandler.LINK, this)
                .attr(ClientLinkHandler.READY, connecting).connect(address.host(), address.port());
        Channel channel = connect.channel();
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                lost(connecting, new IOException("cannot connect to node " + nodeId + " at " + address + ": "
                        + done.cause()));
            }
        });
        channel.eventLoop().schedule(() -> {
            if (!connecting.isDone()) {
                lost(connecting, new IOException("node " + nodeId + " at " + address + " did not complete the handshake within "
                        + handshakeTimeoutMillis + " ms"));
                channel.close();
            }
        }, handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closed -> lost(connecting, new IOException("connection to node " + nodeId
                + " at " + address + " closed")));
        return connecting;
    }

    /** The connection behind {@code connecting} is gone: fail what waits on it; the next send reconnects. */
    void lost(CompletableFuture<Channel> connecting, IOException why) {
        synchronized (this) {
            if (ready == connecting) {
                ready = null;
            }
        }
        connecting.completeExceptionally(why);
        for (Long id : pending.keySet()) {
            CompletableFuture<ClientResponse> waiting = pending.remove(id);
            if (waiting != null) {
                waiting.completeExceptionally(why);
            }
        }
        for (Long id : subscriptions.keySet()) {
            RemoteLogSubscription subscription = subscriptions.remove(id);
            if (subscription != null) {
                subscription.lost(id, why.getMessage());
            }
        }
    }

    void answered(ClientResponse response) {
        CompletableFuture<ClientResponse> waiting = pending.remove(response.requestId());
        if (waiting != null) {
            waiting.complete(response);
            return;
        }
        RemoteLogSubscription subscription = subscriptions.remove(response.requestId());
        if (subscription != null) {
            subscription.ended(response);
        }
    }

    void close() {
        CompletableFuture<Channel> current;
        synchronized (this) {
            current = ready;
        }
        if (current != null) {
            current.thenAccept(Channel::close);
        }
    }
}
