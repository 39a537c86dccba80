// out[t, :] = table[ids[t], :]; table [vocab, hidden] of wtype, out [tokens, hidden] F32.
// Global (hidden, tokens). An id outside [0, vocab) yields a row of NaN, so the bad token is visible downstream.
__kernel void embedding(__global const wtype *table, __global const int *ids, __global float *out,
                        int tokens, int hidden, int vocab) {
    int c = get_global_id(0);
    int t = get_global_id(1);
    if (c >= hidden || t >= tokens) {
        return;
    }
    int id = ids[t];
    out[(size_t)t * hidden + c] = (id >= 0 && id < vocab) ? LOAD_W(W_ROW(table, (size_t)id * hidden), c) : NAN;
}
