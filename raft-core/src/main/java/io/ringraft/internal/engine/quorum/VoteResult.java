package io.ringraft.internal.engine.quorum;

/** The outcome of counting votes against a quorum configuration. */
public enum VoteResult {
    /** Enough grants for a quorum. */
    WON,
    /** Enough rejections that no quorum of grants is possible any more. */
    LOST,
    /** Neither yet. */
    PENDING
}
