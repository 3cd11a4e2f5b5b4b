package io.ringraft.net.netty.internal.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.ringraft.api.Bytes;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.RejectedByStateMachineException;
import io.ringraft.api.RejectedException;
import io.ringraft.api.Role;
import io.ringraft.api.client.SessionCommands;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one client connection: decodes requests, proposes session commands on the leader (stamped with
 * its clock), serves queries at the asked consistency, and answers each request once. Requests of the
 * connection in progress are bounded ({@link ServerLimits#maxInFlightPerConnection()}: one more is
 * answered BUSY). A malformed or oversized frame gets a CLIENT_ERROR and closes this connection only.
 * Runs on the connection's event loop; answers are written from whatever thread completes the node's
 * future (Netty queues them to the event loop).
 */
final class ClientRequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ClientRequestHandler.class);

    private final LongFunction<ServedGroup> groups;
    private final ServerLimits limits;
    private final Runnable onClose;
    private final java.util.Map<Long, String> advertised;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Open subscriptions of this connection by request id; each counts as a request in progress. Event loop. */
    private final java.util.Map<Long, SubscriptionStream> subscriptions = new java.util.HashMap<>();
    private boolean failed;

    ClientRequestHandler(LongFunction<ServedGroup> groups, ServerLimits limits, java.util.Map<Long, String> advertised,
                         Runnable onClose) {
        this.groups = groups;
        this.advertised = advertised;
        this.limits = limits;
        this.onClose = onClose;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed || !(msg instanceof ByteBuf frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ClientRequest request;
        try {
            request = ClientCodec.decodeRequest(frame);
        } catch (MalformedFrameException e) {
            fail(ctx, ClientCodec.ERROR_MALFORMED, "malformed client frame: " + e.getMessage());
            return;
        } finally {
            frame.release();
        }
        serve(ctx, request);
    }

    private void serve(ChannelHandlerContext ctx, ClientRequest request) {
        if (request.op() == ClientOp.CREDIT || request.op() == ClientOp.UNSUBSCRIBE) {
            SubscriptionStream stream = subscriptions.get(request.clientId());
            if (stream != null && request.op() == ClientOp.CREDIT) {
                stream.grant((int) request.seq());
            } else if (stream != null) {
                stream.cancel();
                subscriptions.remove(request.clientId());
                inFlight.decrementAndGet();
            }
            return; // no answer; one for a subscription that already ended is ignored
        }
        ServedGroup group = groups.apply(request.groupId());
        if (group == null) {
            answer(ctx, request, null, ClientStatus.UNKNOWN_GROUP, 0, false,
                    "this node serves no group " + request.groupId(), null);
            return;
        }
        if (inFlight.incrementAndGet() > limits.maxInFlightPerConnection()) {
            inFlight.decrementAndGet();
            answer(ctx, request, group, ClientStatus.BUSY, 0, false, "more than "
                    + limits.maxInFlightPerConnection() + " requests of this connection in progress", null);
            return;
        }
        if (group.machine() == null && request.op() != ClientOp.INFO && request.op() != ClientOp.DELIVER
                && request.op() != ClientOp.SUBSCRIBE) {
            done(ctx, request, group, ClientStatus.BAD_REQUEST, 0, false, "group " + request.groupId()
                    + " is served here for messaging only (deliveries and subscriptions), not for sessions", null);
            return;
        }
        try {
            switch (request.op()) {
                case INFO -> done(ctx, request, group, ClientStatus.OK, 0, false, null, info(group));
                case REGISTER -> propose(ctx, request, group, SessionCommands.register(System.currentTimeMillis()));
                case UNREGISTER -> propose(ctx, request, group,
                        SessionCommands.unregister(request.clientId(), System.currentTimeMillis()));
                case COMMAND -> propose(ctx, request, group, SessionCommands.command(request.clientId(), request.seq(),
                        request.ackedBelow(), System.currentTimeMillis(), request.payload()));
                case QUERY -> query(ctx, request, group);
                case DELIVER -> deliver(ctx, request, group);
                case SUBSCRIBE -> subscribe(ctx, request, group);
                default -> throw new IllegalStateException("unhandled op " + request.op());
            }
        } catch (RuntimeException e) {
            LOG.warn("client request {} of group {} failed", request.op(), request.groupId(), e);
            done(ctx, request, group, ClientStatus.FAILED, 0, true, String.valueOf(e), null);
        }
    }

    private byte[] info(ServedGroup group) {
        RaftStatus status = group.node().status();
        return new ClusterInfo(status.membership().voters(), status.membership().learners(),
                advertised, group.balancing()).encode();
    }

    private void propose(ChannelHandlerContext ctx, ClientRequest request, ServedGroup group, byte[] envelope) {
        RaftStatus status = group.node().status();
        if (status.role() != Role.LEADER) {
            done(ctx, request, group, ClientStatus.NOT_LEADER, 0, false, "node " + status.nodeId()
                    + " does not lead group " + request.groupId(), null);
            return;
        }
        CompletableFuture<Object> future = group.machine().propose(group.node(), envelope);
        if (request.tell() && !future.isDone()) {
            done(ctx, request, group, ClientStatus.ACCEPTED, 0, false, null, null);
            return;
        }
        future.whenComplete((result, error) -> complete(ctx, request, group, result, error));
    }

    private void deliver(ChannelHandlerContext ctx, ClientRequest request, ServedGroup group) {
        if (group.messaging() == null) {
            done(ctx, request, group, ClientStatus.BAD_REQUEST, 0, false, "group " + request.groupId()
                    + " is not served as a messaging group here", null);
            return;
        }
        RaftStatus status = group.node().status();
        if (status.role() != Role.LEADER) {
            done(ctx, request, group, ClientStatus.NOT_LEADER, 0, false, "node " + status.nodeId()
                    + " does not lead group " + request.groupId(), null);
            return;
        }
        CompletableFuture<Object> future;
        try {
            future = group.messaging().acceptDelivery(request.payload());
        } catch (IllegalArgumentException e) {
            done(ctx, request, group, ClientStatus.BAD_REQUEST, 0, false, e.getMessage(), null);
            return;
        }
        future.whenComplete((result, error) -> complete(ctx, request, group, result, error));
    }

    private void subscribe(ChannelHandlerContext ctx, ClientRequest request, ServedGroup group) {
        if (group.messaging() == null) {
            done(ctx, request, group, ClientStatus.BAD_REQUEST, 0, false, "group " + request.groupId()
                    + " is not served as a messaging group here", null);
            return;
        }
        if (subscriptions.containsKey(request.requestId())) {
            done(ctx, request, group, ClientStatus.BAD_REQUEST, 0, false, "subscription " + request.requestId()
                    + " is open already on this connection", null);
            return;
        }
        SubscriptionSpec spec = SubscriptionCodec.decodeSpec(request.payload()); // checked when decoded
        io.ringraft.messaging.KeyedSubscription reader = io.ringraft.messaging.KeyedSubscription.open(group.node(),
                spec.fromIndex(), spec.filter());
        SubscriptionStream stream = new SubscriptionStream(request.requestId(), request.groupId(), ctx, reader, spec,
                (ended, status, message, payload) -> {
                    if (subscriptions.remove(ended.requestId) != null) {
                        done(ctx, request, group, status, 0, false, message, payload);
                    }
                });
        subscriptions.put(request.requestId(), stream);
        stream.pump();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            for (SubscriptionStream stream : java.util.List.copyOf(subscriptions.values())) {
                stream.pump();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void query(ChannelHandlerContext ctx, ClientRequest request, ServedGroup group) {
        if (request.consistency() == ClientRequest.LINEARIZABLE) {
            group.node().read(request.payload()).whenComplete((result, error) -> complete(ctx, request, group, result, error));
            return;
        }
        RaftStatus status = group.node().status();
        if (request.consistency() == ClientRequest.BOUNDED && status.role() != Role.LEADER
                && (status.leaderId() == 0 || status.committedIndex() - status.appliedIndex() > request.maxLag())) {
            done(ctx, request, group, ClientStatus.STALE, 0, false, "replica " + status.nodeId() + " applied "
                    + status.appliedIndex() + " of commit index " + status.committedIndex() + (status.leaderId() == 0
                    ? " and knows no leader" : ", more than " + request.maxLag() + " behind"), null);
            return;
        }
        if (request.consistency() == ClientRequest.BOUNDED_TIME) {
            long stalenessNanos = group.node().appliedStalenessNanos();
            long boundNanos = request.maxLag() >= Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE - 1
                    : request.maxLag() * 1_000_000L; // a replica that never heard a commit it applied always refuses
            if (stalenessNanos > boundNanos) {
                done(ctx, request, group, ClientStatus.STALE, 0, false, "replica " + status.nodeId()
                        + (stalenessNanos == Long.MAX_VALUE ? " has not heard a leader commit index it applied"
                        : "'s applied state is " + stalenessNanos / 1_000_000 + " ms old against its leader's commit")
                        + ", more than " + request.maxLag() + " ms", null);
                return;
            }
        }
        Object result;
        try {
            result = group.machine().localQuery(Bytes.wrap(request.payload()));
        } catch (RuntimeException e) {
            done(ctx, request, group, ClientStatus.FAILED, 0, false, "the query failed: " + e, null);
            return;
        }
        complete(ctx, request, group, result, null);
    }

    private void complete(ChannelHandlerContext ctx, ClientRequest request, ServedGroup group, Object result,
                          Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause == null) {
            byte[] bytes;
            try {
                // a session command's result was encoded by the wrapper before it was cached; a query's is encoded here
                bytes = request.op() == ClientOp.QUERY ? group.machine().encodeResult(result)
                        : request.op() == ClientOp.DELIVER ? java.nio.ByteBuffer.allocate(8).putLong((Long) result).array()
                        : (byte[]) result;
            } catch (RuntimeException e) {
                done(ctx, request, group, ClientStatus.BAD_REQUEST, 0, request.op() == ClientOp.COMMAND,
                        "the result cannot be sent to a client: " + e.getMessage(), null);
                return;
            }
            done(ctx, request, group, ClientStatus.OK, 0, false, null, bytes);
        } else if (cause instanceof RejectedByStateMachineException rejected) {
            boolean may = rejected.code() == SessionCommands.SESSION_EXPIRED
                    || rejected.code() == SessionCommands.STALE_SEQUENCE;
            done(ctx, request, group, ClientStatus.REJECTED, rejected.code(), may, rejected.reason(), null);
        } else if (cause instanceof NotLeaderException) {
            done(ctx, request, group, ClientStatus.NOT_LEADER, 0, false, cause.getMessage(), null);
        } else if (cause instanceof RejectedException) {
            done(ctx, request, group, ClientStatus.BUSY, 0, false, cause.getMessage(), null);
        } else if (cause instanceof RaftException raft) {
            done(ctx, request, group, raft.mayHaveTakenEffect() ? ClientStatus.INDETERMINATE : ClientStatus.FAILED, 0,
                    raft.mayHaveTakenEffect(), raft.getMessage(), null);
        } else {
            done(ctx, request, group, ClientStatus.FAILED, 0, true, String.valueOf(cause), null);
        }
    }

    private void done(ChannelHandlerContext ctx, ClientRequest request, ServedGroup group, ClientStatus status, int code,
                      boolean may, String message, byte[] payload) {
        inFlight.decrementAndGet();
        answer(ctx, request, group, status, code, may, message, payload);
    }

    private static void answer(ChannelHandlerContext ctx, ClientRequest request, ServedGroup group, ClientStatus status,
                               int code, boolean may, String message, byte[] payload) {
        RaftStatus node = group == null ? null : group.node().status();
        ClientResponse response = node == null
                ? new ClientResponse(request.groupId(), request.requestId(), status, 0, 0, 0, 0, 0, 0, payload, code, may,
                        message)
                : new ClientResponse(request.groupId(), request.requestId(), status, node.nodeId(), node.role().ordinal(),
                        node.term(), node.leaderId(), node.appliedIndex(), node.committedIndex(), payload, code, may,
                        message);
        ctx.writeAndFlush(ClientCodec.encode(ctx.alloc(), response));
    }

    private void fail(ChannelHandlerContext ctx, int code, String message) {
        failed = true;
        LOG.debug("closing client connection {}: {}", ctx.channel().remoteAddress(), message);
        ctx.writeAndFlush(ClientCodec.encodeError(ctx.alloc(), code, message)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return;
        }
        if (cause instanceof TooLongFrameException) {
            fail(ctx, ClientCodec.ERROR_TOO_LONG, "frame too long: " + cause.getMessage());
        } else if (cause instanceof DecoderException) {
            fail(ctx, ClientCodec.ERROR_MALFORMED, "undecodable frame: " + cause.getMessage());
        } else {
            failed = true;
            LOG.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        subscriptions.values().forEach(SubscriptionStream::cancel);
        subscriptions.clear();
        onClose.run();
        ctx.fireChannelInactive();
    }
}
