package org.moescope.app.export.slide;

import java.util.List;

/**
 * A view that knows its own legend (an expert palette, a phase colouring): a slide of it shows these entries below
 * the picture. The flame chart and the heatmaps need not implement it; {@code view/SlideContent} reads theirs.
 */
public interface LegendSource {
    /** The legend's entries in the order they are shown; empty for none. */
    List<LegendEntry> legendEntries();
}
