package io.mohge.allocation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Immutable placement of the E logical experts of an {@link ExpertLayout} on expert-parallel ranks.
 *
 * <p>Rank r holds {@link #localExperts(int)} (E / ranks logical expert indices) in physical order; the
 * concatenation over ranks is the {@link #physicalOrder()} (physical slot p -> logical expert), which is how
 * a layer's expert weights are laid out. Saved as JSON next to checkpoints and exports ({@link #toJson()}).
 */
public final class Placement {

    private final AllocationConfig.Strategy strategy;
    private final ExpertLayout layout;
    private final int[][] localExperts;   // [ranks][E / ranks], logical expert indices in physical order
    private final int[] rankOf;           // [E]
    private final int[] physicalOrder;    // [E], slot p -> logical expert
    private final int[] physicalSlotOf;   // [E], logical expert -> slot p

    private Placement(AllocationConfig.Strategy strategy, ExpertLayout layout, int[][] localExperts) {
        this.strategy = strategy;
        this.layout = layout;
        this.localExperts = localExperts;
        int e = layout.experts();
        this.rankOf = new int[e];
        this.physicalOrder = new int[e];
        this.physicalSlotOf = new int[e];
        int p = 0;
        for (int r = 0; r < localExperts.length; r++) {
            for (int l : localExperts[r]) {
                rankOf[l] = r;
                physicalOrder[p] = l;
                physicalSlotOf[l] = p++;
            }
        }
    }

    /**
     * A placement from per-rank expert lists, validated: every rank holds E / ranks experts and every logical
     * expert appears exactly once.
     *
     * @param localExperts [ranks][E / ranks] logical expert indices, each rank's list in physical order
     * @throws IllegalArgumentException naming what is inconsistent
     */
    public static Placement of(AllocationConfig.Strategy strategy, ExpertLayout layout, int[][] localExperts) {
        if (strategy == null) throw new IllegalArgumentException("strategy: missing");
        if (layout == null) throw new IllegalArgumentException("layout: missing");
        if (localExperts == null) throw new IllegalArgumentException("local_experts: missing");
        int ranks = localExperts.length;
        layout.checkRanks(ranks);
        int e = layout.experts();
        int perRank = e / ranks;
        int[][] copy = new int[ranks][];
        int[] seenOn = new int[e];
        Arrays.fill(seenOn, -1);
        for (int r = 0; r < ranks; r++) {
            if (localExperts[r] == null || localExperts[r].length != perRank) {
                throw new IllegalArgumentException("local_experts: rank " + r + " holds "
                        + (localExperts[r] == null ? "no list" : localExperts[r].length + " experts")
                        + ", expected E / ranks = " + e + " / " + ranks + " = " + perRank);
            }
            copy[r] = localExperts[r].clone();
            for (int l : copy[r]) {
                if (l < 0 || l >= e) {
                    throw new IllegalArgumentException("local_experts: rank " + r + " lists expert " + l
                            + ", outside the logical experts 0.." + (e - 1));
                }
                if (seenOn[l] >= 0) {
                    throw new IllegalArgumentException("local_experts: logical expert " + l + " appears on rank "
                            + seenOn[l] + " and again on rank " + r + "; every expert must be placed exactly once");
                }
                seenOn[l] = r;
            }
        }
        // ranks x perRank = E distinct indices in 0..E-1: every expert is placed.
        return new Placement(strategy, layout, copy);
    }

    /** Rank r holds physical slots [r * E/ranks, (r+1) * E/ranks) of {@code physicalOrder} (slot -> logical). */
    static Placement fromPhysicalOrder(AllocationConfig.Strategy strategy, ExpertLayout layout, int ranks,
                                       int[] physicalOrder) {
        int perRank = layout.experts() / ranks;
        int[][] local = new int[ranks][];
        for (int r = 0; r < ranks; r++) {
            local[r] = Arrays.copyOfRange(physicalOrder, r * perRank, (r + 1) * perRank);
        }
        return of(strategy, layout, local);
    }

    public AllocationConfig.Strategy strategy() { return strategy; }

    /** Strategy in its YAML / JSON spelling, e.g. {@code all-size-decoupled}. */
    public String strategyName() { return PlacementStrategy.nameOf(strategy); }

    public ExpertLayout layout() { return layout; }

    /**
     * Throws unless this placement was made for {@code expected} (e.g. a placement.json loaded with a checkpoint
     * must match the model's experts).
     */
    public void requireLayout(ExpertLayout expected) {
        if (!layout.equals(expected)) {
            throw new IllegalArgumentException("placement: made for widths " + layout.widths() + " x "
                    + layout.expertsPerGroup() + " experts per group, but the model has widths " + expected.widths()
                    + " x " + expected.expertsPerGroup() + "; recreate the placement for this model");
        }
    }

    /** Number of expert-parallel ranks. */
    public int ranks() { return localExperts.length; }

    /** E / ranks. */
    public int expertsPerRank() { return localExperts[0].length; }

    /** The rank holding logical expert l. */
    public int rankOf(int logicalExpert) { return rankOf[checkExpert(logicalExpert)]; }

    /** Logical experts held by {@code rank}, in physical order (a copy). */
    public int[] localExperts(int rank) {
        if (rank < 0 || rank >= ranks()) {
            throw new IndexOutOfBoundsException("rank " + rank + " is outside 0.." + (ranks() - 1));
        }
        return localExperts[rank].clone();
    }

    /** Physical slot p -> logical expert, [E] (a copy). */
    public int[] physicalOrder() { return physicalOrder.clone(); }

    /** Physical slot of logical expert l. */
    public int physicalSlotOf(int logicalExpert) { return physicalSlotOf[checkExpert(logicalExpert)]; }

    /** Sum of the widths of the experts on {@code rank} (params = 3 * h * this). */
    public long widthSum(int rank) {
        long sum = 0;
        for (int l : localExperts(rank)) sum += layout.expertWidth(l);
        return sum;
    }

    /** Widths of the experts on {@code rank}, ascending (the rank's width multiset). */
    public int[] sortedWidths(int rank) {
        return Arrays.stream(localExperts(rank)).map(layout::expertWidth).sorted().toArray();
    }

    /** JSON form (see {@link PlacementJson} for the format). */
    public String toJson() { return PlacementJson.write(this); }

    /**
     * Parses and validates {@link #toJson()} output.
     *
     * @throws IllegalArgumentException naming what is missing, malformed or inconsistent
     */
    public static Placement fromJson(String json) { return PlacementJson.read(json); }

    /**
     * Reads a placement file written from {@link #toJson()}.
     *
     * @throws IllegalArgumentException (message starting with the file name) if it is missing, corrupt or inconsistent
     */
    public static Placement load(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": placement file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read placement " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private int checkExpert(int l) {
        if (l < 0 || l >= rankOf.length) {
            throw new IndexOutOfBoundsException("logical expert " + l + " is outside 0.." + (rankOf.length - 1));
        }
        return l;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Placement other && strategy == other.strategy && layout.equals(other.layout)
                && Arrays.deepEquals(localExperts, other.localExperts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * strategy.hashCode() + layout.hashCode()) + Arrays.deepHashCode(localExperts);
    }

    @Override
    public String toString() {
        return "Placement[" + strategyName() + ", " + ranks() + " ranks, widths " + layout.widths() + " x "
                + layout.expertsPerGroup() + ", local_experts " + Arrays.deepToString(localExperts) + "]";
    }
}
