// A plain C read of host memory with no OpenCL in between: what a CPU core pair can stream from a buffer of a given
// size, on 4 KiB pages or on transparent huge pages. docs/benchmarks.md compares the bench's POCL figures with it.
//
//   gcc -O3 -march=native -pthread docs/bench-data/host_read.c -o /tmp/host_read
//   /tmp/host_read MB CALLS [huge]      e.g. /tmp/host_read 50 400 huge
//
// Two threads; each call reads the buffer as MUL_MAT_ID at n = 1 reads its 8 experts: in 8 equal slabs, one after the
// other, each thread one half of each slab. 16-wide AVX-512 loads into four accumulators, a barrier per call.
// Prints GB/s (1e9 bytes/s) and µs per call for three rounds of CALLS calls.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define THREADS 2
#define SLABS 8

static float* buf;
static size_t floats;
static int calls;
static pthread_barrier_t barrier;
static volatile float sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float read_range(const float* p, size_t n) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i + 63 < n; i += 64) {
        a0 = _mm512_add_ps(a0, _mm512_loadu_ps(p + i));
        a1 = _mm512_add_ps(a1, _mm512_loadu_ps(p + i + 16));
        a2 = _mm512_add_ps(a2, _mm512_loadu_ps(p + i + 32));
        a3 = _mm512_add_ps(a3, _mm512_loadu_ps(p + i + 48));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

static void* work(void* arg) {
    const long t = (long) arg;
    const size_t slab = floats / SLABS, half = slab / THREADS;
    float s = 0;
    for (int c = 0; c < calls; c++) {
        for (size_t e = 0; e < SLABS; e++) {
            s += read_range(buf + e * slab + t * half, half);
        }
        pthread_barrier_wait(&barrier);
    }
    sink += s;
    return NULL;
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MB CALLS [huge]\n", argv[0]);
        return 2;
    }
    const size_t huge = 2u << 20;
    floats = (size_t) (atof(argv[1]) * 1e6 / 4) / (SLABS * THREADS * 64) * (SLABS * THREADS * 64);
    calls = atoi(argv[2]);
    const size_t bytes = (floats * 4 + huge - 1) / huge * huge;
    buf = aligned_alloc(huge, bytes);
    if (buf == NULL || floats == 0 || calls < 1) {
        fprintf(stderr, "bad size or count\n");
        return 2;
    }
    if (argc > 3 && strcmp(argv[3], "huge") == 0) {
        madvise(buf, bytes, MADV_HUGEPAGE);      // before the first touch, so faults take 2 MiB pages
    }
    for (size_t i = 0; i < floats; i++) {
        buf[i] = 1.0f;
    }
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (int round = 0; round < 3; round++) {
        pthread_t th[THREADS];
        const double t0 = now();
        for (long t = 0; t < THREADS; t++) {
            pthread_create(&th[t], NULL, work, (void*) t);
        }
        for (int t = 0; t < THREADS; t++) {
            pthread_join(th[t], NULL);
        }
        const double dt = now() - t0;
        printf("%.1f MB%s: %.1f GB/s, %.1f us per call\n", floats * 4e-6, argc > 3 ? " huge" : "",
               floats * 4.0 * calls / dt / 1e9, dt / calls * 1e6);
    }
    return 0;
}
