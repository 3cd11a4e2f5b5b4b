/**
 * RingRaft core: public API, SPIs and message records. Everything else is internal.
 */
module io.ringraft.core {
    requires transitive org.agrona;
    requires org.jctools.core;
    requires org.slf4j;

    exports io.ringraft.api;
    exports io.ringraft.message;
    exports io.ringraft.spi;
    exports io.ringraft.local;
}
