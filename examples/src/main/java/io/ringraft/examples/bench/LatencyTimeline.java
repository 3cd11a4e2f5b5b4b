package io.ringraft.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

/**
 * The latency of a benchmark over time, for finding its tail: every latency goes into an HdrHistogram
 * {@link Recorder}; once a second the interval's histogram is written to an HdrHistogram log
 * ({@code latency.hlog}, readable by HdrHistogram's HistogramLogProcessor) and its percentiles, with what
 * else happened in that second (GC pauses, leader changes, log segment rolls, snapshots), to
 * {@code timeline.csv}; at the end {@code timeline.svg} plots p50, p99, p99.9 and max per second on a
 * log scale with those events marked on the same time axis.
 *
 * <p>{@link #record} from any thread (the Recorder is wait-free for writers); {@link #second} and
 * {@link #finish} from the one thread that drives the benchmark.
 */
final class LatencyTimeline {

    /** What one second of the run looked like. */
    record Second(double at, double p50Micros, double p99Micros, double p999Micros, double maxMicros, long count,
                  long gcMillis, int leaderChanges, int segmentRolls, int snapshots) {
    }

    private final Path directory;
    private final Recorder recorder;
    private final HistogramLogWriter log;
    private final PrintStream logStream;
    private final List<Second> seconds = new ArrayList<>();
    private final long startMillis = System.currentTimeMillis();
    private Histogram interval;

    /**
     * @param directory   where the three files go (created if missing)
     * @param highestNanos the largest latency recorded
     */
    LatencyTimeline(Path directory, long highestNanos) {
        this.directory = directory;
        this.recorder = new Recorder(highestNanos, 3);
        try {
            Files.createDirectories(directory);
            logStream = new PrintStream(Files.newOutputStream(directory.resolve("latency.hlog")), false,
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the timeline to " + directory, e);
        }
        log = new HistogramLogWriter(logStream);
        log.outputLogFormatVersion();
        log.outputStartTime(startMillis);
        log.setBaseTime(startMillis);
        log.outputLegend();
        recorder.reset();
    }

    /** Starts the first second now: what was recorded before is dropped. */
    void begin() {
        interval = recorder.getIntervalHistogram(interval);
    }

    /** Records one latency, in nanoseconds. Any thread. */
    void record(long nanos) {
        recorder.recordValue(nanos);
    }

    /**
     * Closes the second that ends now, {@code at} seconds into the measurement.
     *
     * @param gcMillis      GC time in that second
     * @param leaderChanges leader changes seen in it
     * @param segmentRolls  log segments created in it (all nodes)
     * @param snapshots     snapshots taken or installed in it (all nodes)
     */
    void second(double at, long gcMillis, int leaderChanges, int segmentRolls, int snapshots) {
        interval = recorder.getIntervalHistogram(interval);
        log.outputIntervalHistogram(interval);
        seconds.add(new Second(at, micros(interval.getValueAtPercentile(50)), micros(interval.getValueAtPercentile(99)),
                micros(interval.getValueAtPercentile(99.9)), micros(interval.getMaxValue()), interval.getTotalCount(),
                gcMillis, leaderChanges, segmentRolls, snapshots));
    }

    /** Writes {@code timeline.csv} and {@code timeline.svg}; closes the log. */
    void finish() {
        logStream.close();
        StringBuilder csv = new StringBuilder("second,count,p50_us,p99_us,p999_us,max_us,gc_ms,leader_changes,segment_rolls,snapshots\n");
        for (Second s : seconds) {
            csv.append(String.format(Locale.ROOT, "%.1f,%d,%.0f,%.0f,%.0f,%.0f,%d,%d,%d,%d%n", s.at(), s.count(),
                    s.p50Micros(), s.p99Micros(), s.p999Micros(), s.maxMicros(), s.gcMillis(), s.leaderChanges(),
                    s.segmentRolls(), s.snapshots()));
        }
        try {
            Files.writeString(directory.resolve("timeline.csv"), csv);
            Files.writeString(directory.resolve("timeline.svg"), svg());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the timeline to " + directory, e);
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 380;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 60;
    /** The y axis: 10 us to 10 s, log scale. */
    private static final double MIN_LOG = 1;
    private static final double MAX_LOG = 7;

    private String svg() {
        double span = seconds.isEmpty() ? 1 : Math.max(1, seconds.get(seconds.size() - 1).at());
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif' font-size='11'>%n<rect width='100%%' height='100%%' fill='white'/>%n", WIDTH, HEIGHT));
        String[] labels = {"10 us", "100 us", "1 ms", "10 ms", "100 ms", "1 s", "10 s"};
        for (int decade = 0; decade <= 6; decade++) {
            double y = y(Math.pow(10, MIN_LOG + decade));
            out.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>"
                    + "<text x='%d' y='%.1f' text-anchor='end'>%s</text>%n", LEFT, y, WIDTH - RIGHT, y, LEFT - 4, y + 4,
                    labels[decade]));
        }
        for (int t = 0; t <= span; t += span > 60 ? 10 : 5) {
            double x = x(t, span);
            out.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>%d s</text>%n", x,
                    HEIGHT - BOTTOM + 14, t));
        }
        for (Second s : seconds) { // events first, under the lines
            double x = x(s.at(), span);
            if (s.gcMillis() > 0) {
                out.append(marker(x, "#999", "GC " + s.gcMillis() + " ms"));
            }
            if (s.leaderChanges() > 0) {
                out.append(marker(x, "black", "leader change"));
            }
            if (s.segmentRolls() > 0) {
                out.append(tick(x, HEIGHT - BOTTOM + 20, "#8e44ad", s.segmentRolls() + " segment roll(s)"));
            }
            if (s.snapshots() > 0) {
                out.append(tick(x, HEIGHT - BOTTOM + 30, "#16a085", s.snapshots() + " snapshot(s)"));
            }
        }
        String[][] series = {{"p50", "#27ae60"}, {"p99", "#2980b9"}, {"p99.9", "#e67e22"}, {"max", "#c0392b"}};
        for (int k = 0; k < series.length; k++) {
            StringBuilder points = new StringBuilder();
            for (Second s : seconds) {
                double value = switch (k) {
                    case 0 -> s.p50Micros();
                    case 1 -> s.p99Micros();
                    case 2 -> s.p999Micros();
                    default -> s.maxMicros();
                };
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(s.at(), span), y(Math.max(value, 10))));
            }
            out.append(String.format(Locale.ROOT, "<polyline fill='none' stroke='%s' stroke-width='1.5' points='%s'/>%n",
                    series[k][1], points));
            out.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='%s'>%s</text>%n", LEFT + 10 + k * 60, TOP - 10,
                    series[k][1], series[k][0]));
        }
        out.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='#999'>| GC</text><text x='%d' y='%d'>| leader "
                + "change</text><text x='%d' y='%d' fill='#8e44ad'>segment roll</text><text x='%d' y='%d' "
                + "fill='#16a085'>snapshot</text>%n", LEFT + 260, TOP - 10, LEFT + 310, TOP - 10, LEFT + 410, TOP - 10,
                LEFT + 500, TOP - 10));
        out.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>latency per second (submit to applied), seconds "
                + "since the measurement began</text>%n</svg>%n", LEFT, HEIGHT - 8));
        return out.toString();
    }

    private static String marker(double x, String color, String title) {
        return String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s' stroke-dasharray='3,2'>"
                + "<title>%s</title></line>%n", x, TOP, x, HEIGHT - BOTTOM, color, title);
    }

    private static String tick(double x, int y, String color, String title) {
        return String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s' stroke-width='2'>"
                + "<title>%s</title></line>%n", x, y - 6, x, y, color, title);
    }

    private static double x(double at, double span) {
        return LEFT + (WIDTH - LEFT - RIGHT) * at / span;
    }

    private static double y(double micros) {
        double log = Math.max(MIN_LOG, Math.min(MAX_LOG, Math.log10(micros)));
        return TOP + (HEIGHT - TOP - BOTTOM) * (MAX_LOG - log) / (MAX_LOG - MIN_LOG);
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }
}
