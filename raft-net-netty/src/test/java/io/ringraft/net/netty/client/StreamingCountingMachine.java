package io.ringraft.net.netty.client;

import io.ringraft.api.Bytes;
import io.ringraft.spi.ApplyProgress;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StreamingStateMachine;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@link CountingMachine} as a stream applied late: {@code accept} hands each run to a thread of its own,
 * which applies it a little later (reading the commands from the view then) and reports results and
 * progress from there. Close it with {@link #close()}.
 */
final class StreamingCountingMachine implements StreamingStateMachine, AutoCloseable {

    final CountingMachine counting = new CountingMachine();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "streaming-counting-machine");
        thread.setDaemon(true);
        return thread;
    });

    @Override
    public void accept(LogEntries commands, ApplyProgress progress) {
        worker.execute(() -> {
            try {
                Thread.sleep(0, 200_000); // applied later than handed over, on another thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < commands.count(); i++) {
                long id = commands.payloadAt(i).getLong(0);
                counting.applied.merge(id, 1, Integer::sum);
                progress.result(commands.firstIndex() + i, CountingMachine.id(counting.total.incrementAndGet()));
            }
            progress.applied(commands.firstIndex() + commands.count() - 1);
        });
    }

    @Override
    public Object query(Bytes query) {
        return counting.query(query);
    }

    @Override
    public void close() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
    }
}
