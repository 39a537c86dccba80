// Prefill dispatch of moe_forward.rs (compute_ids_tpe_gpu), built on the device without a host round trip.
// One work-group does it all, so the result is deterministic without global synchronisation:
//   counts [experts]          routed pairs per expert (local atomics: the order of increments does not matter)
//   offsets [experts + 1]     exclusive prefix sum of counts
//   sortedPairs [pairs]       pair ids grouped by expert, ascending within an expert (stable counting sort)
//   workList [1 + 2*maxTiles] [0] = tile count n, then (expert, firstRow) for each tile of tileRows rows of each
//                             non-empty expert, experts ascending, rows ascending
// Grid: one work-group of MOE_DISPATCH_LOCAL work-items. Local scratch count, cursor, firstTile: [experts] each.

__kernel __attribute__((reqd_work_group_size(MOE_DISPATCH_LOCAL, 1, 1)))
void build_dispatch(__global const int* selectedIds, __global int* counts, __global int* offsets,
                    __global int* sortedPairs, __global int* workList, int pairs, int experts, int tileRows,
                    __local int* count, __local int* cursor, __local int* firstTile) {
    __local int chunk[MOE_DISPATCH_LOCAL];
    const int lid = get_local_id(0);

    for (int e = lid; e < experts; e += MOE_DISPATCH_LOCAL) {
        count[e] = 0;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int p = lid; p < pairs; p += MOE_DISPATCH_LOCAL) {
        const int e = selectedIds[p];
        if ((uint) e < (uint) experts) {   // ids come from routeTopk; a bad one is dropped, not written out of range
            atomic_inc(&count[e]);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    // Exclusive scans of pairs and of row tiles over experts: a few hundred experts at most, one work-item.
    if (lid == 0) {
        int run = 0;
        int tiles = 0;
        for (int e = 0; e < experts; e++) {
            cursor[e] = run;
            firstTile[e] = tiles;
            run += count[e];
            tiles += (count[e] + tileRows - 1) / tileRows;
        }
        offsets[experts] = run;
        workList[0] = tiles;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int e = lid; e < experts; e += MOE_DISPATCH_LOCAL) {
        counts[e] = count[e];
        offsets[e] = cursor[e];
        int tile = firstTile[e];
        for (int row = 0; row < count[e]; row += tileRows, tile++) {
            workList[1 + 2 * tile] = e;
            workList[2 + 2 * tile] = row;
        }
    }

    // Stable scatter, one chunk of MOE_DISPATCH_LOCAL pairs at a time: a pair's slot is its expert's cursor plus the
    // number of earlier pairs of the same expert in the chunk; cursors then advance by the chunk's counts.
    for (int base = 0; base < pairs; base += MOE_DISPATCH_LOCAL) {
        const int p = base + lid;
        const int id = p < pairs ? selectedIds[p] : -1;
        const int e = (uint) id < (uint) experts ? id : -1;
        chunk[lid] = e;
        barrier(CLK_LOCAL_MEM_FENCE);
        if (e >= 0) {
            int rank = 0;
            for (int j = 0; j < lid; j++) {
                rank += chunk[j] == e;
            }
            sortedPairs[cursor[e] + rank] = p;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (e >= 0) {
            atomic_inc(&cursor[e]);   // the next chunk's barrier orders these before its cursor reads
        }
    }
}
