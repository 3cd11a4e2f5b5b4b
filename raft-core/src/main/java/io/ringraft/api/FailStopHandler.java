package io.ringraft.api;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a node fail-stops (a storage error, a state machine that threw, an error on one of
 * its threads): the node has stopped taking part and fails everything pending, but the process keeps
 * running unless told otherwise, and a process whose only node stopped looks alive to anything that
 * does not read its status. Set with {@link RaftNode.Builder#onFailStop} or
 * {@link RaftHost.Builder#onFailStop}; {@link #exitProcess} ends the process so a supervisor
 * (systemd, Kubernetes) restarts it.
 *
 * <p>Called once per node, on a new daemon thread named {@code ringraft-fail-stop-<group>-<node>}, after
 * the node's status says {@link Role#FAILED} (so it may block, and may call {@code System.exit}, whose
 * shutdown hooks may close the node). An exception it throws is logged.
 */
@FunctionalInterface
public interface FailStopHandler {

    /**
     * The node fail-stopped.
     *
     * @param status the node's status: role {@link Role#FAILED}, {@link RaftStatus#failure()} says why
     */
    void onFailStop(RaftStatus status);

    /**
     * A handler that logs the failure (error level) and ends the process with {@code exitCode}
     * ({@code System.exit}: shutdown hooks run).
     *
     * @param exitCode the process's exit status (non-zero, so a supervisor sees a failure)
     * @return the handler
     * @throws IllegalArgumentException if {@code exitCode} is 0
     */
    static FailStopHandler exitProcess(int exitCode) {
        if (exitCode == 0) {
            throw new IllegalArgumentException("a fail-stop must not exit with status 0");
        }
        return status -> {
            Logger log = LoggerFactory.getLogger(FailStopHandler.class);
            log.error("node {} of group {} fail-stopped ({}); exiting the process with status {}", status.nodeId(),
                    status.groupId(), status.failure(), exitCode);
            System.exit(exitCode);
        };
    }

    /**
     * Runs {@code handler} for {@code status} on its own daemon thread (what the runtime does).
     *
     * @param handler the handler
     * @param status  the failed node's status
     */
    static void runOnOwnThread(FailStopHandler handler, RaftStatus status) {
        Objects.requireNonNull(handler, "handler");
        Thread thread = new Thread(() -> {
            try {
                handler.onFailStop(status);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(FailStopHandler.class).warn("fail-stop handler of node {} threw",
                        status.nodeId(), e);
            }
        }, "ringraft-fail-stop-" + status.groupId() + "-" + status.nodeId());
        thread.setDaemon(true);
        thread.start();
    }
}
