package io.ringraft.net.netty.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.junit.jupiter.api.Test;

/**
 * The first warning goes out at once, then at most one per interval with the count suppressed meanwhile;
 * {@code rearm()} (a recovery) lets the next one out at once. A fake clock and a logger that records its
 * WARN calls.
 */
class RateLimitedLogTest {

    private static final long MS = 1_000_000L;

    private final List<String> warnings = new ArrayList<>();
    private final Logger logger = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(),
            new Class<?>[] {Logger.class}, (proxy, method, args) -> {
                if (method.getName().equals("warn")) {
                    Object[] params = args.length > 1 && args[1] instanceof Object[] array ? array
                            : Arrays.copyOfRange(args, 1, args.length);
                    warnings.add(format((String) args[0], params));
                }
                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
            });
    private final AtomicLong now = new AtomicLong(1_000 * MS);

    @Test
    void firstAtOnceThenOncePerIntervalWithTheSuppressedCount() {
        RateLimitedLog log = new RateLimitedLog(logger, 30_000, now::get);
        log.warn("cannot connect to {}: {}", "peer:1", "refused");
        assertThat(warnings).containsExactly("cannot connect to peer:1: refused");

        for (int i = 0; i < 5; i++) {
            now.addAndGet(1_000 * MS);
            log.warn("cannot connect to {}: {}", "peer:1", "refused");
        }
        assertThat(warnings).as("within the interval").hasSize(1);

        now.addAndGet(25_000 * MS); // 30 s after the first
        log.warn("cannot connect to {}: {}", "peer:1", "timed out");
        assertThat(warnings).containsExactly("cannot connect to peer:1: refused",
                "cannot connect to peer:1: timed out (5 similar messages suppressed)");
    }

    @Test
    void rearmingLetsTheNextWarningOutAtOnceAndReportsWhatWasSuppressed() {
        RateLimitedLog log = new RateLimitedLog(logger, 30_000, now::get);
        log.warn("lost {}", "peer:2");
        log.warn("lost {}", "peer:2");
        log.warn("lost {}", "peer:2");
        assertThat(log.rearm()).isEqualTo(2);
        now.addAndGet(MS);
        log.warn("lost {}", "peer:2");
        assertThat(warnings).containsExactly("lost peer:2", "lost peer:2");
        assertThat(log.rearm()).isZero();
    }

    private static String format(String pattern, Object[] params) {
        StringBuilder out = new StringBuilder();
        int param = 0;
        int from = 0;
        int at;
        while ((at = pattern.indexOf("{}", from)) >= 0) {
            out.append(pattern, from, at).append(params[param++]);
            from = at + 2;
        }
        return out.append(pattern.substring(from)).toString();
    }
}
