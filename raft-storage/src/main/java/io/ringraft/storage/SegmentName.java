package io.ringraft.storage;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a segment file: {@code segment-<seq>-<firstIndex>.log}, both numbers zero-padded to
 * 20 decimal digits so that names sort like the numbers. {@code seq} orders segments by creation;
 * {@code firstIndex} is the index of the segment's first entry. Both are repeated, under the header
 * CRC, inside the file, and must agree with the name.
 *
 * @param seq        creation order, from 1; a later segment supersedes every entry of an earlier one
 *                   from its own {@code firstIndex} on
 * @param firstIndex index of the segment's first entry
 */
record SegmentName(long seq, long firstIndex) {

    private static final Pattern PATTERN = Pattern.compile("segment-(\\d{20})-(\\d{20})\\.log");

    /** The file name. */
    String fileName() {
        return String.format("segment-%020d-%020d.log", seq, firstIndex);
    }

    /** The name of the temporary file a segment is prepared in before it gets its real name. */
    String tempFileName() {
        return fileName() + ".tmp";
    }

    /** Parses a file name, or returns null if it is not a segment's. */
    static SegmentName parse(String fileName) {
        Matcher m = PATTERN.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        try {
            return new SegmentName(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        } catch (NumberFormatException e) {
            return null; // more than Long.MAX_VALUE: not ours
        }
    }

    @Override
    public String toString() {
        return fileName();
    }
}
