package io.ringraft.internal.host;

import io.ringraft.api.FollowerStatus;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads leadership over a host's peers: when this host leads more than its share of its groups, it
 * hands one of them to a caught-up follower by leadership transfer, one at a time.
 *
 * <p>The rule is local, so every host can run it without coordination: a host's share is its groups
 * divided by the members of a group (at least one more than the mean, rounded up, as slack), because if
 * every host leads at most that many, leadership is spread evenly. A host above its share transfers the
 * next group it leads (round robin over its groups, so no group is moved twice in a row) to the follower
 * with the least lag, and waits for that transfer to end before it tries another. A follower that took
 * more than its own share gives some away in turn; transfers are rate-limited by the period, so the
 * spread settles without storms.
 *
 * <p>Runs as a host duty on the host's first worker ({@link HostThreads#addPeriodic}): never blocks
 * (a transfer is started and its future watched). Reads each group's status (an allocation per led group
 * per run: the period is seconds, not ticks).
 */
public final class LeaderBalancer implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderBalancer.class);

    private final long selfId;
    private final Supplier<List<RaftNode>> groups;
    private int cursor;
    private CompletableFuture<Void> running;
    private long transfers;

    /**
     * @param selfId the host's node id
     * @param groups the host's groups now
     */
    public LeaderBalancer(long selfId, Supplier<List<RaftNode>> groups) {
        this.selfId = selfId;
        this.groups = groups;
    }

    @Override
    public void run() {
        if (running != null && !running.isDone()) {
            return;
        }
        List<RaftNode> nodes = groups.get();
        int count = nodes.size();
        if (count == 0) {
            return;
        }
        int led = 0;
        int members = 1;
        for (RaftNode node : nodes) {
            if (node.isLeader()) {
                led++;
            }
        }
        if (led == 0) {
            return;
        }
        for (int i = 0; i < count; i++) {
            RaftNode node = nodes.get((cursor + i) % count);
            if (!node.isLeader()) {
                continue;
            }
            RaftStatus status = node.status();
            members = Math.max(members, status.followers().size() + 1);
            int share = (count + members - 1) / members + 1;
            if (led <= share) {
                return;
            }
            FollowerStatus target = null;
            for (FollowerStatus follower : status.followers()) {
                if (target == null || follower.lag() < target.lag()) {
                    target = follower;
                }
            }
            if (target == null) {
                continue;
            }
            cursor = (cursor + i + 1) % count;
            long to = target.nodeId();
            long groupId = node.groupId();
            transfers++;
            running = node.transferLeadership(to).whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.debug("host {}: moving the leadership of group {} to {} failed: {}", selfId, groupId, to,
                            error.toString());
                }
            });
            LOG.debug("host {} leads {} of {} groups (share {}): moving group {} to {}", selfId, led, count, share,
                    groupId, to);
            return;
        }
    }

    /** {@return the transfers this balancer started} */
    public long transfers() {
        return transfers;
    }
}
