package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.noflag.UnsafeReach;
import java.nio.file.Path;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
import org.junit.jupiter.api.Test;

/**
 * No class of raft-net-netty uses an Agrona or JCTools class that calls {@code Unsafe} (see raft-core's
 * {@link UnsafeReach}): such a use would need {@code --add-exports} again, or warn on JDK 24+.
 */
class NoUnsafeReachTest {

    @Test
    void usesNoLibraryClassThatCallsUnsafe() throws Exception {
        Path classes = Path.of(NettyTransport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(UnsafeReach.usesIn(classes, Agent.class, MessagePassingQueue.class)).isEmpty();
    }
}
