package io.ringraft.internal.engine;

/** The outcome of counting votes against a quorum configuration. */
enum VoteResult {
    /** Enough grants for a quorum. */
    WON,
    /** Enough rejections that no quorum of grants is possible any more. */
    LOST,
    /** Neither yet. */
    PENDING
}
