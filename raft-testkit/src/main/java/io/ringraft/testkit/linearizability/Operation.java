package io.ringraft.testkit.linearizability;

import java.util.Objects;

/**
 * One client operation in a history: what was asked, what was answered, and the real-time interval
 * in which it happened. The operation took effect atomically at some instant in
 * {@code [call, ret]}.
 *
 * <p>{@code ret == }{@link #UNKNOWN_RETURN} marks an operation whose outcome is unknown (for example
 * a write that timed out): it may take effect at any instant after {@code call}, or never, and its
 * {@code output} is ignored (normalised to {@code null}). A definitely failed operation must not be
 * recorded at all (see {@link History#fail}).
 *
 * <p>Built by {@link History#operations()} or directly by tests; consumed by
 * {@link LinearizabilityChecker}. Immutable if {@code I} and {@code O} are.
 *
 * @param clientId the client that issued it; informational only (shown in reports)
 * @param input what the client asked for; not {@code null}
 * @param output what the client was told; may be {@code null} if the model gives that a meaning
 * @param call the time the client invoked it
 * @param ret the time the client saw the response, {@code >= call}, or {@link #UNKNOWN_RETURN}
 */
public record Operation<I, O>(int clientId, I input, O output, long call, long ret) {

    /** The {@link #ret} of an operation whose outcome is unknown. */
    public static final long UNKNOWN_RETURN = Long.MAX_VALUE;

    public Operation {
        Objects.requireNonNull(input, "input");
        if (call == UNKNOWN_RETURN) {
            throw new IllegalArgumentException("call time must be finite");
        }
        if (ret < call) {
            throw new IllegalArgumentException("ret " + ret + " < call " + call);
        }
        if (ret == UNKNOWN_RETURN) {
            output = null;
        }
    }

    /** A completed operation with an observed output. */
    public static <I, O> Operation<I, O> completed(int clientId, I input, O output, long call, long ret) {
        if (ret == UNKNOWN_RETURN) {
            throw new IllegalArgumentException("a completed operation needs a finite ret");
        }
        return new Operation<>(clientId, input, output, call, ret);
    }

    /** An operation invoked at {@code call} whose outcome is unknown. */
    public static <I, O> Operation<I, O> unknown(int clientId, I input, long call) {
        return new Operation<>(clientId, input, null, call, UNKNOWN_RETURN);
    }

    /** Whether the outcome is unknown: it may take effect any time after {@link #call}, or never. */
    public boolean isUnknown() {
        return ret == UNKNOWN_RETURN;
    }
}
