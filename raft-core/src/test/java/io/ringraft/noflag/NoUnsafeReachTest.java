package io.ringraft.noflag;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftNode;
import java.nio.file.Path;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
import org.junit.jupiter.api.Test;

/**
 * No class of raft-core uses an Agrona or JCTools class that calls {@code Unsafe} (see
 * {@link UnsafeReach}): such a use would need {@code --add-exports} again, or warn on JDK 24+.
 */
class NoUnsafeReachTest {

    @Test
    void raftCoreUsesNoLibraryClassThatCallsUnsafe() throws Exception {
        Path classes = Path.of(RaftNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(UnsafeReach.usesIn(classes, Agent.class, MessagePassingQueue.class)).isEmpty();
    }

    @Test
    void theScanFindsWhatTheRingUsedBefore() throws Exception {
        Path agrona = Path.of(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jctools = Path.of(MessagePassingQueue.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(UnsafeReach.classesCallingUnsafe(agrona))
                .contains("org/agrona/concurrent/UnsafeBuffer", "org/agrona/AbstractMutableDirectBuffer")
                .doesNotContain("org/agrona/concurrent/AgentRunner", "org/agrona/collections/Long2ObjectHashMap");
        assertThat(UnsafeReach.classesCallingUnsafe(jctools))
                .contains("org/jctools/queues/MpscArrayQueue")
                .doesNotContain("org/jctools/queues/atomic/MpscAtomicArrayQueue");
    }
}
