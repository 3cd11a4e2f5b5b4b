package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The tests run on exactly one Netty line: 4.2 in the normal build, 4.1 under {@code -Pnetty41}
 * (the build passes the expected line as {@code ringraft.expectedNettyLine}). Fails if a jar of the
 * other line is on the class path, as happened to applications whose dependency management pinned
 * Netty 4.1 while raft-net-netty pulled the 4.2-only {@code netty-codec-base}.
 */
class NettyVersionTest {

    @Test
    void everyNettyJarBelongsToTheExpectedLine() {
        String line = System.getProperty("ringraft.expectedNettyLine");
        assertThat(line).as("set by the build (raft-net-netty/pom.xml)").isNotBlank();
        Map<String, String> versions = new TreeMap<>();
        Version.identify().forEach((artifact, version) -> versions.put(artifact, version.artifactVersion()));
        assertThat(versions).containsKeys("netty-transport", "netty-handler", "netty-buffer", "netty-common");
        assertThat(versions).allSatisfy((artifact, version) -> assertThat(version).as(artifact).startsWith(line));
    }
}
