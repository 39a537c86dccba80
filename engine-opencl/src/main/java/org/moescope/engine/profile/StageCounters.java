package org.moescope.engine.profile;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** The seed's per-path counters: total µs and calls per (phase, block, stage). Immutable. */
public record StageCounters(Map<Key, Totals> totals) {

    public record Key(Phase phase, String block, String stage) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = phase.compareTo(o.phase);
            if (c == 0) {
                c = block.compareTo(o.block);
            }
            return c != 0 ? c : stage.compareTo(o.stage);
        }
    }

    public record Totals(double micros, long calls) {
        public double meanMicros() {
            return calls == 0 ? 0 : micros / calls;
        }
    }

    public StageCounters {
        totals = java.util.Collections.unmodifiableMap(new TreeMap<>(totals));
    }

    public static StageCounters of(Collection<StageSpan> spans) {
        Map<Key, Totals> m = new TreeMap<>();
        for (StageSpan s : spans) {
            m.merge(new Key(s.phase(), s.block(), s.stage()), new Totals(s.durationNanos() / 1000.0, 1),
                    (a, b) -> new Totals(a.micros() + b.micros(), a.calls() + b.calls()));
        }
        return new StageCounters(m);
    }

    public double totalMicros() {
        return totals.values().stream().mapToDouble(Totals::micros).sum();
    }
}
