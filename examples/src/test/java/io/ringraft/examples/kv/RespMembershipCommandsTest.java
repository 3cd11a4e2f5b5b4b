package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.Membership;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RejectedException;
import io.ringraft.api.StorageFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@code RAFT.ADDLEARNER}, {@code RAFT.PROMOTE} and {@code RAFT.REMOVE} against a fake
 * {@link WriteRouter} that plays the leader: the argument checks (against the leader's membership),
 * the membership each command asks for, and how failures map to {@code -ERR}, {@code -TRYAGAIN} and
 * {@code -UNCERTAIN}. The commands never touch the local node, so none is given.
 */
class RespMembershipCommandsTest {

    /** Applies each change to {@link #current} as the routers do, records the result, answers {@link #outcome}. */
    private static final class FakeRouter implements WriteRouter {
        Membership current = new Membership(Set.of(1L, 2L, 3L), Set.of(), false);
        final List<Membership> proposed = new ArrayList<>();
        Supplier<CompletableFuture<Void>> outcome = () -> CompletableFuture.completedFuture(null);

        @Override
        public CompletableFuture<Object> propose(byte[] command) {
            throw new AssertionError("no write expected");
        }

        @Override
        public CompletableFuture<Void> transferLeadership(long targetNodeId) {
            throw new AssertionError("no transfer expected");
        }

        @Override
        public CompletableFuture<Void> changeMembership(UnaryOperator<Membership> change) {
            Membership next;
            try {
                next = change.apply(current);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            proposed.add(next);
            return outcome.get();
        }
    }

    private final FakeRouter router = new FakeRouter();
    private final RespCommands commands = new RespCommands(null, router, 1 << 16, Duration.ofMillis(200));

    @Test
    void theyAreWritesAndTakeOneNodeId() {
        for (String name : List.of("RAFT.ADDLEARNER", "raft.promote", "Raft.Remove")) {
            assertThat(RespCommands.kindOf(args(name, "4"))).as(name).isEqualTo(RespCommands.Kind.WRITE);
            assertThat(reply(name)).isEqualTo("-ERR wrong number of arguments for '" + name.toLowerCase() + "' command");
            assertThat(reply(name, "4", "5"))
                    .isEqualTo("-ERR wrong number of arguments for '" + name.toLowerCase() + "' command");
            for (String bad : List.of("0", "-4", "x", "4.0", "99999999999999999999")) {
                assertThat(reply(name, bad)).as("%s %s", name, bad).isEqualTo("-ERR node id must be a positive integer");
            }
        }
        assertThat(router.proposed).isEmpty();
    }

    @Test
    void addLearnerAddsANonMember() {
        assertThat(reply("RAFT.ADDLEARNER", "4")).isEqualTo("+OK");
        assertThat(router.proposed).containsExactly(membership(Set.of(1L, 2L, 3L), Set.of(4L)));

        router.current = membership(Set.of(1L, 2L, 3L), Set.of(4L));
        assertThat(reply("RAFT.ADDLEARNER", "5")).isEqualTo("+OK");
        assertThat(router.proposed.get(1)).isEqualTo(membership(Set.of(1L, 2L, 3L), Set.of(4L, 5L)));

        assertThat(reply("RAFT.ADDLEARNER", "2")).isEqualTo("-ERR node 2 is already a voter");
        assertThat(reply("RAFT.ADDLEARNER", "4")).isEqualTo("-ERR node 4 is already a learner");
        assertThat(router.proposed).hasSize(2);
    }

    @Test
    void promoteTurnsALearnerIntoAVoter() {
        router.current = membership(Set.of(1L, 2L, 3L), Set.of(4L, 5L));
        assertThat(reply("RAFT.PROMOTE", "4")).isEqualTo("+OK");
        assertThat(router.proposed).containsExactly(membership(Set.of(1L, 2L, 3L, 4L), Set.of(5L)));

        assertThat(reply("RAFT.PROMOTE", "1")).isEqualTo("-ERR node 1 is already a voter");
        assertThat(reply("RAFT.PROMOTE", "9")).isEqualTo("-ERR node 9 is not a learner (voters [1, 2, 3], "
                + "learners [4, 5]); add it with RAFT.ADDLEARNER first");
        assertThat(router.proposed).hasSize(1);
    }

    @Test
    void removeTakesOutAVoterOrALearnerButNotTheLastVoter() {
        router.current = membership(Set.of(1L, 2L, 3L), Set.of(4L));
        assertThat(reply("RAFT.REMOVE", "2")).isEqualTo("+OK");
        assertThat(reply("RAFT.REMOVE", "4")).isEqualTo("+OK");
        assertThat(router.proposed).containsExactly(membership(Set.of(1L, 3L), Set.of(4L)),
                membership(Set.of(1L, 2L, 3L), Set.of()));

        assertThat(reply("RAFT.REMOVE", "9")).isEqualTo("-ERR node 9 is not a member (voters [1, 2, 3], learners [4])");
        router.current = membership(Set.of(1L), Set.of(4L));
        assertThat(reply("RAFT.REMOVE", "1")).isEqualTo("-ERR node 1 is the only voter; it cannot be removed");
        assertThat(reply("RAFT.REMOVE", "4")).isEqualTo("+OK"); // the learner may go
        assertThat(router.proposed).hasSize(3);
    }

    @Test
    void failuresThatCertainlyHadNoEffectAreTryAgain() {
        router.outcome = () -> CompletableFuture.failedFuture(new RejectedException("membership change refused: "
                + "another change or a leadership transfer is in progress"));
        assertThat(reply("RAFT.ADDLEARNER", "4")).isEqualTo("-TRYAGAIN membership change refused: "
                + "another change or a leadership transfer is in progress");
        router.outcome = () -> CompletableFuture.failedFuture(new NotLeaderException(2, 3));
        assertThat(reply("RAFT.PROMOTE", "3")).startsWith("-ERR"); // the check comes first
        router.current = membership(Set.of(1L, 2L, 3L), Set.of(4L));
        assertThat(reply("RAFT.PROMOTE", "4")).isEqualTo("-TRYAGAIN node 2 is not the leader; try node 3");
        router.outcome = () -> CompletableFuture.failedFuture(new NodeStoppedException("node 1 is stopped"));
        assertThat(reply("RAFT.REMOVE", "4")).isEqualTo("-TRYAGAIN node 1 is stopped");
    }

    @Test
    void failuresThatMayHaveTakenEffectAreUncertainNeverTryAgain() {
        router.outcome = () -> CompletableFuture.failedFuture(new IndeterminateException("node 1 lost leadership "
                + "during the membership change; it may still complete"));
        assertThat(reply("RAFT.ADDLEARNER", "4")).isEqualTo("-UNCERTAIN IndeterminateException: node 1 lost "
                + "leadership during the membership change; it may still complete; the membership change may or "
                + "may not take effect");
        router.outcome = () -> CompletableFuture.failedFuture(new StorageFailedException("disk", new IOException()));
        assertThat(reply("RAFT.REMOVE", "3")).startsWith("-UNCERTAIN StorageFailedException: disk");
        router.outcome = CompletableFuture::new; // never answers: the command's timeout (200 ms)
        long start = System.nanoTime();
        assertThat(reply("RAFT.REMOVE", "3"))
                .isEqualTo("-UNCERTAIN the membership change did not commit in time; it may still take effect");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        router.outcome = () -> {
            throw new IllegalStateException("surprise"); // thrown by the router itself, not in the future
        };
        assertThat(reply("RAFT.REMOVE", "3")).startsWith("-UNCERTAIN IllegalStateException: surprise");
    }

    @Test
    void aNodeThatIsNotTheLeaderNamesIt() {
        router.outcome = () -> CompletableFuture.failedFuture(new LeaderElsewhereException("node 2 is not the "
                + "leader; send RAFT.ADDLEARNER, RAFT.PROMOTE and RAFT.REMOVE to the leader, node 3 (raft h:7383)", 3));
        assertThat(reply("RAFT.ADDLEARNER", "4")).isEqualTo("-ERR node 2 is not the leader; send RAFT.ADDLEARNER, "
                + "RAFT.PROMOTE and RAFT.REMOVE to the leader, node 3 (raft h:7383)");
    }

    @Test
    void theRoutersReachabilityCheckIsAnError() {
        router.outcome = () -> CompletableFuture.failedFuture(new IllegalArgumentException(
                "node 4 has no Raft address in this node's --peers"));
        assertThat(reply("RAFT.ADDLEARNER", "4")).isEqualTo("-ERR node 4 has no Raft address in this node's --peers");
    }

    // ------------------------------------------------------------------ helpers

    private static Membership membership(Set<Long> voters, Set<Long> learners) {
        return new Membership(voters, learners, false);
    }

    private static List<byte[]> args(String... args) {
        return Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** The reply as RESP would show it: {@code +...} or {@code -...}. */
    private String reply(String... args) {
        RedisMessage message = commands.execute(args(args)).orTimeout(5, TimeUnit.SECONDS).join();
        if (message instanceof SimpleStringRedisMessage simple) {
            return "+" + simple.content();
        }
        assertThat(message).isInstanceOf(ErrorRedisMessage.class);
        return "-" + ((ErrorRedisMessage) message).content();
    }
}
