/* ct_sort.c - sorting, selection and counting kernels. See ct_sort.h for the
 * row layout and the key mapping. Rows are independent, so the parallel loops
 * (over rows, above CT_SORT_PAR_MIN elements) give the same result for any
 * thread count; float accumulations (bincount, histc) stay sequential for the
 * same reason.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ct_sort.h"

#define CT_SORT_PAR_MIN 32768
#define CT_SMALL_SORT 32

/* ------------------------------------------------------------------ keys */

/* Bytes of key per dtype (0: the dtype has no order, i.e. complex). */
static int key_width(int dt) {
    switch (dt) {
    case CT_BOOL: case CT_UINT8: case CT_INT8: return 1;
    case CT_INT16: case CT_FLOAT16: case CT_BFLOAT16: return 2;
    case CT_INT32: case CT_FLOAT32: return 4;
    case CT_INT64: case CT_FLOAT64: return 8;
    default: return 0;
    }
}

static inline uint64_t width_mask(int w) { return w == 8 ? ~(uint64_t)0 : (((uint64_t)1 << (8 * w)) - 1); }

static inline int is_float_dt(int dt) { return dt >= CT_FLOAT16 && dt <= CT_FLOAT64; }

/* IEEE bits b -> key: NaN -> all ones, +-0 -> the sign bit, x<0 -> ~b, x>0 -> b | sign. */
#define CT_FLOAT_KEY(name, UT, SIGN, INF)                                          \
    static inline uint64_t name(UT b) {                                            \
        UT mag = (UT)(b & (UT)~(UT)SIGN);                                          \
        if (mag > (UT)INF) return (UT)~(UT)0;                                      \
        if (mag == 0) return (UT)SIGN;                                             \
        return (b & (UT)SIGN) ? (UT)~b : (UT)(b | (UT)SIGN);                       \
    }
CT_FLOAT_KEY(key_f16, uint16_t, 0x8000u, 0x7c00u)
CT_FLOAT_KEY(key_bf16, uint16_t, 0x8000u, 0x7f80u)
CT_FLOAT_KEY(key_f32, uint32_t, 0x80000000u, 0x7f800000u)
CT_FLOAT_KEY(key_f64, uint64_t, 0x8000000000000000ull, 0x7ff0000000000000ull)

/* Key of one element at p. */
static inline uint64_t key_at(int dt, const char *p) {
    switch (dt) {
    case CT_BOOL: case CT_UINT8: return *(const uint8_t *)p;
    case CT_INT8: return (uint8_t)(*(const uint8_t *)p ^ 0x80u);
    case CT_INT16: return (uint16_t)(*(const uint16_t *)p ^ 0x8000u);
    case CT_INT32: return (uint32_t)(*(const uint32_t *)p ^ 0x80000000u);
    case CT_INT64: return *(const uint64_t *)p ^ 0x8000000000000000ull;
    case CT_FLOAT16: return key_f16(*(const uint16_t *)p);
    case CT_BFLOAT16: return key_bf16(*(const uint16_t *)p);
    case CT_FLOAT32: return key_f32(*(const uint32_t *)p);
    default: return key_f64(*(const uint64_t *)p);
    }
}

/* keys[j] := key(base[j * stride]) ^ flip (stride in elements). */
#define CT_KEY_LOOP(T, EXPR)                                                       \
    { const T *s = (const T *)base;                                                \
      for (int64_t j = 0; j < n; j++) { T b = s[j * stride]; keys[j] = (EXPR) ^ flip; } } break;

static void make_keys(int dt, const char *base, int64_t stride, int64_t n, uint64_t *keys, uint64_t flip) {
    switch (dt) {
    case CT_BOOL: case CT_UINT8: CT_KEY_LOOP(uint8_t, (uint64_t)b)
    case CT_INT8: CT_KEY_LOOP(uint8_t, (uint64_t)(uint8_t)(b ^ 0x80u))
    case CT_INT16: CT_KEY_LOOP(uint16_t, (uint64_t)(uint16_t)(b ^ 0x8000u))
    case CT_INT32: CT_KEY_LOOP(uint32_t, (uint64_t)(uint32_t)(b ^ 0x80000000u))
    case CT_INT64: CT_KEY_LOOP(uint64_t, b ^ 0x8000000000000000ull)
    case CT_FLOAT16: CT_KEY_LOOP(uint16_t, key_f16(b))
    case CT_BFLOAT16: CT_KEY_LOOP(uint16_t, key_bf16(b))
    case CT_FLOAT32: CT_KEY_LOOP(uint32_t, key_f32(b))
    default: CT_KEY_LOOP(uint64_t, key_f64(b))
    }
}

/* out[j * os] := in[ix[j] * is] for elements of isz bytes (strides in elements). */
#define CT_GATHER(T) { const T *s = (const T *)in; T *d = (T *)out;                \
    for (int64_t j = 0; j < cnt; j++) d[j * os] = s[ix[j] * is]; } break;

static void gather(size_t isz, const char *in, int64_t is, const int64_t *ix, int64_t cnt, char *out, int64_t os) {
    switch (isz) {
    case 1: CT_GATHER(uint8_t)
    case 2: CT_GATHER(uint16_t)
    case 4: CT_GATHER(uint32_t)
    default: CT_GATHER(uint64_t)
    }
}

/* ------------------------------------------------------------------ radix sort */

/* Stable sort of (k, ix) by k's low `width` bytes; tk/ti are n-element scratch. */
static void radix_sort(uint64_t *k, int64_t *ix, uint64_t *tk, int64_t *ti, int64_t n, int width) {
    if (n <= CT_SMALL_SORT) {   /* insertion sort: stable, cheapest for short rows */
        for (int64_t a = 1; a < n; a++) {
            uint64_t x = k[a];
            int64_t y = ix[a], b = a - 1;
            while (b >= 0 && k[b] > x) { k[b + 1] = k[b]; ix[b + 1] = ix[b]; b--; }
            k[b + 1] = x;
            ix[b + 1] = y;
        }
        return;
    }
    int64_t cnt[8][256];
    memset(cnt, 0, sizeof(int64_t) * 256 * (size_t)width);
    for (int64_t j = 0; j < n; j++) {
        uint64_t x = k[j];
        for (int b = 0; b < width; b++) cnt[b][(x >> (8 * b)) & 255u]++;
    }
    uint64_t *sk = k, *dk = tk;
    int64_t *si = ix, *di = ti;
    for (int b = 0; b < width; b++) {
        int64_t *c = cnt[b];
        int sh = 8 * b;
        if (c[(sk[0] >> sh) & 255u] == n) continue;   /* every key has this byte: nothing to do */
        int64_t sum = 0;
        for (int d = 0; d < 256; d++) { int64_t t = c[d]; c[d] = sum; sum += t; }
        for (int64_t j = 0; j < n; j++) {
            int64_t p = c[(sk[j] >> sh) & 255u]++;
            dk[p] = sk[j];
            di[p] = si[j];
        }
        uint64_t *t1 = sk; sk = dk; dk = t1;
        int64_t *t2 = si; si = di; di = t2;
    }
    if (sk != k) {
        memcpy(k, sk, (size_t)n * sizeof(uint64_t));
        memcpy(ix, si, (size_t)n * sizeof(int64_t));
    }
}

/* Per-thread scratch for one row. */
typedef struct { uint64_t *k, *tk; int64_t *ix, *ti; } ct_ws;

static int ws_alloc(ct_ws *w, int64_t n) {
    size_t s = (size_t)(n > 0 ? n : 1) * 8;
    w->k = malloc(s); w->tk = malloc(s); w->ix = malloc(s); w->ti = malloc(s);
    return w->k && w->tk && w->ix && w->ti;
}

static void ws_free(ct_ws *w) { free(w->k); free(w->tk); free(w->ix); free(w->ti); }

/* Keys of row base (stride inner), positions 0..n-1, stably sorted. */
static void sorted_row(int dt, const char *base, int64_t inner, int64_t n, uint64_t flip, ct_ws *w) {
    make_keys(dt, base, inner, n, w->k, flip);
    for (int64_t j = 0; j < n; j++) w->ix[j] = j;
    radix_sort(w->k, w->ix, w->tk, w->ti, n, key_width(dt));
}

/* dk/di[lo..hi) := stable merge of the sorted runs [lo, mid) and [mid, hi) of k/ix. */
static void merge_runs(const uint64_t *k, const int64_t *ix, uint64_t *dk, int64_t *di, int64_t lo, int64_t mid,
                       int64_t hi) {
    int64_t a = lo, b = mid, o = lo;
    while (a < mid && b < hi) {
        if (k[b] < k[a]) { dk[o] = k[b]; di[o++] = ix[b++]; }
        else { dk[o] = k[a]; di[o++] = ix[a++]; }     /* ties: the left run (lower positions) first */
    }
    while (a < mid) { dk[o] = k[a]; di[o++] = ix[a++]; }
    while (b < hi) { dk[o] = k[b]; di[o++] = ix[b++]; }
}

/* One long row: threads radix-sort chunks, then merge them pairwise. A stable sort has
 * exactly one result, so it does not depend on the number of chunks. */
static int sort_row_parallel(int dt, const char *src, int64_t n, int64_t inner, uint64_t flip, char *vals,
                             int64_t *idx) {
    int nt = ct_get_num_threads(), w = key_width(dt);
    size_t isz = ct_itemsize(dt), bytes = (size_t)n * 8;
    uint64_t *k = malloc(bytes), *tk = malloc(bytes);
    int64_t *ix = malloc(bytes), *ti = malloc(bytes);
    if (!k || !tk || !ix || !ti) { free(k); free(tk); free(ix); free(ti); return CT_ERR_NOMEM; }
    #pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; t++) {
        int64_t j0 = n * t / nt, j1 = n * (t + 1) / nt;
        make_keys(dt, src + j0 * inner * (int64_t)isz, inner, j1 - j0, k + j0, flip);
        for (int64_t j = j0; j < j1; j++) ix[j] = j;
        radix_sort(k + j0, ix + j0, tk + j0, ti + j0, j1 - j0, w);
    }
    for (int step = 1; step < nt; step *= 2) {
        #pragma omp parallel for num_threads(nt) schedule(static)
        for (int t = 0; t < nt; t += 2 * step) {
            int m = t + step < nt ? t + step : nt, e = t + 2 * step < nt ? t + 2 * step : nt;
            merge_runs(k, ix, tk, ti, n * t / nt, n * m / nt, n * e / nt);
        }
        uint64_t *t1 = k; k = tk; tk = t1;
        int64_t *t2 = ix; ix = ti; ti = t2;
    }
    #pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; t++) {
        int64_t j0 = n * t / nt, j1 = n * (t + 1) / nt;
        gather(isz, src, inner, ix + j0, j1 - j0, vals + j0 * inner * (int64_t)isz, inner);
        for (int64_t j = j0; j < j1; j++) idx[j * inner] = ix[j];
    }
    free(k); free(tk); free(ix); free(ti);
    return CT_OK;
}

/* vals/idx := stable sort of each row */
int ct_sort_rows(int dt, const char *in, char *vals, int64_t *idx, int64_t outer, int64_t n,
                 int64_t inner, int descending) {
    int w = key_width(dt);
    if (!w) return CT_ERR_VALUE;
    int64_t rows = outer * inner;
    if (rows == 0 || n == 0) return CT_OK;
    size_t isz = ct_itemsize(dt);
    uint64_t flip = descending ? width_mask(w) : 0;
    if (rows < ct_get_num_threads() && n >= 4 * CT_SORT_PAR_MIN) {   /* too few rows to share out */
        for (int64_t r = 0; r < rows; r++) {
            int64_t base = (r / inner) * n * inner + r % inner;
            int err = sort_row_parallel(dt, in + base * (int64_t)isz, n, inner, flip, vals + base * (int64_t)isz,
                                        idx + base);
            if (err) return err;
        }
        return CT_OK;
    }
    int err = CT_OK;
    #pragma omp parallel num_threads(ct_get_num_threads()) if (rows > 1 && rows * n >= CT_SORT_PAR_MIN)
    {
        ct_ws ws;
        int ok = ws_alloc(&ws, n);
        #pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            if (!ok) continue;
            int64_t base = (r / inner) * n * inner + r % inner;
            sorted_row(dt, in + base * (int64_t)isz, inner, n, flip, &ws);
            gather(isz, in + base * (int64_t)isz, inner, ws.ix, n, vals + base * (int64_t)isz, inner);
            for (int64_t j = 0; j < n; j++) idx[base + j * inner] = ws.ix[j];
        }
        if (!ok) {
            #pragma omp atomic write
            err = CT_ERR_NOMEM;
        }
        ws_free(&ws);
    }
    return err;
}

/* ------------------------------------------------------------------ selection */

/* (key, index) pairs under the total order key, then index: all distinct. */
typedef struct { uint64_t k; int64_t i; } ct_kv;

static inline int kv_lt(ct_kv a, ct_kv b) { return a.k < b.k || (a.k == b.k && a.i < b.i); }

#define KV_SWAP(a, x, y) { ct_kv t_ = a[x]; a[x] = a[y]; a[y] = t_; }

static void kv_insertion(ct_kv *a, int64_t n) {
    for (int64_t i = 1; i < n; i++) {
        ct_kv x = a[i];
        int64_t j = i - 1;
        while (j >= 0 && kv_lt(x, a[j])) { a[j + 1] = a[j]; j--; }
        a[j + 1] = x;
    }
}

static void kv_sift(ct_kv *a, int64_t root, int64_t n) {
    for (;;) {
        int64_t c = 2 * root + 1;
        if (c >= n) return;
        if (c + 1 < n && kv_lt(a[c], a[c + 1])) c++;
        if (!kv_lt(a[root], a[c])) return;
        KV_SWAP(a, root, c);
        root = c;
    }
}

static void kv_heapsort(ct_kv *a, int64_t n) {
    for (int64_t i = n / 2 - 1; i >= 0; i--) kv_sift(a, i, n);
    for (int64_t e = n - 1; e > 0; e--) { KV_SWAP(a, 0, e); kv_sift(a, 0, e); }
}

/* Partition a[0..n), n >= 4, around a median of three; returns p with a[<p] < a[p] < a[>p]. */
static int64_t kv_partition(ct_kv *a, int64_t n) {
    int64_t m = n / 2;
    if (kv_lt(a[m], a[0])) KV_SWAP(a, 0, m);
    if (kv_lt(a[n - 1], a[0])) KV_SWAP(a, 0, n - 1);
    if (kv_lt(a[n - 1], a[m])) KV_SWAP(a, m, n - 1);
    KV_SWAP(a, m, n - 2);
    ct_kv p = a[n - 2];
    int64_t i = 0, j = n - 2;
    for (;;) {          /* a[0] <= p and a[n-2] == p are the sentinels */
        while (kv_lt(a[++i], p)) {}
        while (kv_lt(p, a[--j])) {}
        if (i >= j) break;
        KV_SWAP(a, i, j);
    }
    KV_SWAP(a, i, n - 2);
    return i;
}

static int depth_limit(int64_t n) { int d = 0; while (n > 1) { n >>= 1; d++; } return 2 * d + 4; }

/* Introsort: quicksort, heapsort past the depth limit, insertion sort for short ranges. */
static void kv_sort(ct_kv *a, int64_t n) {
    int depth = depth_limit(n);
    while (n > 16) {
        if (depth-- == 0) { kv_heapsort(a, n); return; }
        int64_t p = kv_partition(a, n);
        if (p < n - 1 - p) { kv_sort(a, p); a += p + 1; n -= p + 1; }
        else { kv_sort(a + p + 1, n - 1 - p); n = p; }
    }
    kv_insertion(a, n);
}

/* Reorder a so that a[k] is the k-th smallest (0-based), smaller ones before it. */
static void kv_select(ct_kv *a, int64_t n, int64_t k) {
    int64_t lo = 0, hi = n;
    int depth = depth_limit(n);
    while (hi - lo > 16) {
        if (depth-- == 0) { kv_sort(a + lo, hi - lo); return; }
        int64_t p = lo + kv_partition(a + lo, hi - lo);
        if (p == k) return;
        if (k < p) hi = p; else lo = p + 1;
    }
    kv_insertion(a + lo, hi - lo);
}

static void kv_row(int dt, const char *base, int64_t inner, int64_t n, uint64_t flip, ct_kv *a, uint64_t *keys) {
    make_keys(dt, base, inner, n, keys, flip);
    for (int64_t j = 0; j < n; j++) { a[j].k = keys[j]; a[j].i = j; }
}

/* heap[0..*cnt) := the k smallest (key, index) pairs among row positions [j0, j1),
 * kept as a max-heap so most elements cost one comparison with the root. */
static void heap_topk(int dt, const char *base, int64_t inner, int64_t j0, int64_t j1, uint64_t flip,
                      int64_t k, ct_kv *heap, int64_t *cnt) {
    uint64_t buf[1024];
    size_t isz = ct_itemsize(dt);
    int64_t h = 0;
    for (int64_t s = j0; s < j1; s += 1024) {
        int64_t len = j1 - s < 1024 ? j1 - s : 1024;
        make_keys(dt, base + s * inner * (int64_t)isz, inner, len, buf, flip);
        for (int64_t t = 0; t < len; t++) {
            ct_kv x = { buf[t], s + t };
            if (h < k) {
                int64_t i = h++;
                heap[i] = x;
                while (i > 0 && kv_lt(heap[(i - 1) / 2], heap[i])) { KV_SWAP(heap, i, (i - 1) / 2); i = (i - 1) / 2; }
            } else if (x.k < heap[0].k) {   /* equal keys lose: their index is larger */
                heap[0] = x;
                kv_sift(heap, 0, k);
            }
        }
    }
    *cnt = h;
}

static void put_topk(int dt, const char *src, int64_t inner, const ct_kv *a, int64_t k, int64_t *ix,
                     char *vals, int64_t *idx, int64_t obase) {
    size_t isz = ct_itemsize(dt);
    for (int64_t j = 0; j < k; j++) { ix[j] = a[j].i; idx[obase + j * inner] = a[j].i; }
    gather(isz, src, inner, ix, k, vals + obase * (int64_t)isz, inner);
}

/* Top k of one long row with threads scanning chunks: the k smallest pairs of a strict total
 * order are the same set however the row is split, and they are returned sorted. */
static int topk_row_parallel(int dt, const char *src, int64_t n, int64_t inner, int64_t k, uint64_t flip,
                             char *vals, int64_t *idx, int64_t obase) {
    int nt = ct_get_num_threads();
    ct_kv *cand = malloc((size_t)nt * (size_t)k * sizeof(ct_kv));
    int64_t *cnt = calloc((size_t)nt, sizeof(int64_t));
    int64_t *ix = malloc((size_t)k * sizeof(int64_t));
    if (!cand || !cnt || !ix) { free(cand); free(cnt); free(ix); return CT_ERR_NOMEM; }
    #pragma omp parallel num_threads(nt)
    {
        #pragma omp for schedule(static)
        for (int t = 0; t < nt; t++) {
            int64_t j0 = n * t / nt, j1 = n * (t + 1) / nt;
            heap_topk(dt, src, inner, j0, j1, flip, k, cand + (int64_t)t * k, &cnt[t]);
        }
    }
    int64_t m = 0;
    for (int t = 0; t < nt; t++) {
        memmove(cand + m, cand + (int64_t)t * k, (size_t)cnt[t] * sizeof(ct_kv));
        m += cnt[t];
    }
    if (m > k) kv_select(cand, m, k - 1);
    kv_sort(cand, k);
    put_topk(dt, src, inner, cand, k, ix, vals, idx, obase);
    free(cand); free(cnt); free(ix);
    return CT_OK;
}

/* vals/idx := the k largest (smallest) of each row, sorted when asked */
int ct_topk_rows(int dt, const char *in, char *vals, int64_t *idx, int64_t outer, int64_t n,
                 int64_t inner, int64_t k, int largest, int sorted) {
    int w = key_width(dt);
    if (!w) return CT_ERR_VALUE;
    if (k < 0 || k > n) return CT_ERR_INDEX;
    int64_t rows = outer * inner;
    if (rows == 0 || k == 0) return CT_OK;
    size_t isz = ct_itemsize(dt);
    uint64_t flip = largest ? width_mask(w) : 0;
    int use_heap = k * 64 <= n;   /* small k: one pass with a k-heap beats a full selection */
    if (use_heap && rows < ct_get_num_threads() && n >= CT_SORT_PAR_MIN) {
        for (int64_t r = 0; r < rows; r++) {
            int64_t o = r / inner, i = r % inner;
            int err = topk_row_parallel(dt, in + (o * n * inner + i) * (int64_t)isz, n, inner, k, flip,
                                        vals, idx, o * k * inner + i);
            if (err) return err;
        }
        return CT_OK;
    }
    int err = CT_OK;
    #pragma omp parallel num_threads(ct_get_num_threads()) if (rows > 1 && rows * n >= CT_SORT_PAR_MIN)
    {
        int64_t na = use_heap ? k : n;
        ct_kv *a = malloc((size_t)na * sizeof(ct_kv));
        uint64_t *keys = use_heap ? NULL : malloc((size_t)n * sizeof(uint64_t));
        int64_t *ix = malloc((size_t)k * sizeof(int64_t));
        int ok = a && (use_heap || keys) && ix;
        #pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            if (!ok) continue;
            int64_t o = r / inner, i = r % inner, got;
            const char *src = in + (o * n * inner + i) * (int64_t)isz;
            if (use_heap) {
                heap_topk(dt, src, inner, 0, n, flip, k, a, &got);
                kv_sort(a, k);
            } else {
                kv_row(dt, src, inner, n, flip, a, keys);
                if (k < n) kv_select(a, n, k - 1);
                if (sorted) kv_sort(a, k);
            }
            put_topk(dt, src, inner, a, k, ix, vals, idx, o * k * inner + i);
        }
        if (!ok) {
            #pragma omp atomic write
            err = CT_ERR_NOMEM;
        }
        free(a); free(keys); free(ix);
    }
    return err;
}

/* vals/idx := k-th smallest / lower median / lower median of the non-NaN values */
int ct_kth_rows(int dt, const char *in, char *vals, int64_t *idx, int64_t outer, int64_t n,
                int64_t inner, int64_t k, int what) {
    int w = key_width(dt);
    if (!w) return CT_ERR_VALUE;
    if (n == 0 || (what == 0 && (k < 1 || k > n))) return CT_ERR_INDEX;
    int64_t rows = outer * inner;
    if (rows == 0) return CT_OK;
    size_t isz = ct_itemsize(dt);
    uint64_t nan_key = width_mask(w);
    int has_nan = is_float_dt(dt);
    int err = CT_OK;
    #pragma omp parallel num_threads(ct_get_num_threads()) if (rows > 1 && rows * n >= CT_SORT_PAR_MIN)
    {
        ct_kv *a = malloc((size_t)n * sizeof(ct_kv));
        uint64_t *keys = malloc((size_t)n * sizeof(uint64_t));
        int ok = a && keys;
        #pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            if (!ok) continue;
            int64_t o = r / inner, i = r % inner;
            const char *src = in + (o * n * inner + i) * (int64_t)isz;
            kv_row(dt, src, inner, n, 0, a, keys);
            int64_t nnan = 0, first_nan = -1, pos;
            if (has_nan && what != 0)
                for (int64_t j = n - 1; j >= 0; j--)
                    if (keys[j] == nan_key) { nnan++; first_nan = j; }
            if (what != 0 && (what == 1 ? nnan > 0 : nnan == n)) {
                pos = first_nan;     /* NaN result at the first NaN, like PyTorch */
            } else {
                int64_t kk = what == 0 ? k - 1 : (n - nnan - 1) / 2;
                kv_select(a, n, kk);
                pos = a[kk].i;
            }
            idx[r] = pos;
            gather(isz, src, inner, &pos, 1, vals + r * (int64_t)isz, 1);
        }
        if (!ok) {
            #pragma omp atomic write
            err = CT_ERR_NOMEM;
        }
        free(a); free(keys);
    }
    return err;
}

/* vals/idx := smallest most frequent value of each row, its last position */
int ct_mode_rows(int dt, const char *in, char *vals, int64_t *idx, int64_t outer, int64_t n,
                 int64_t inner) {
    int w = key_width(dt);
    if (!w) return CT_ERR_VALUE;
    if (n == 0) return CT_ERR_INDEX;
    int64_t rows = outer * inner;
    if (rows == 0) return CT_OK;
    size_t isz = ct_itemsize(dt);
    int err = CT_OK;
    #pragma omp parallel num_threads(ct_get_num_threads()) if (rows > 1 && rows * n >= CT_SORT_PAR_MIN)
    {
        ct_ws ws;
        int ok = ws_alloc(&ws, n);
        #pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            if (!ok) continue;
            int64_t o = r / inner, i = r % inner;
            const char *src = in + (o * n * inner + i) * (int64_t)isz;
            sorted_row(dt, src, inner, n, 0, &ws);
            int64_t best_len = 0, best_end = 0, s = 0;
            for (int64_t j = 1; j <= n; j++) {
                if (j == n || ws.k[j] != ws.k[s]) {
                    if (j - s > best_len) { best_len = j - s; best_end = j; }
                    s = j;
                }
            }
            int64_t pos = ws.ix[best_end - 1];   /* stable sort: the last occurrence */
            idx[r] = pos;
            gather(isz, src, inner, &pos, 1, vals + r * (int64_t)isz, 1);
        }
        if (!ok) {
            #pragma omp atomic write
            err = CT_ERR_NOMEM;
        }
        ws_free(&ws);
    }
    return err;
}

/* ------------------------------------------------------------------ unique */

/* vals/inverse/counts := groups of equal values (sorted, or consecutive runs) */
int ct_unique(int dt, const char *in, int64_t n, int consecutive, char *vals, int64_t *inverse,
              int64_t *counts, int64_t *nunique) {
    int w = key_width(dt);
    if (!w) return CT_ERR_VALUE;
    *nunique = 0;
    if (n == 0) return CT_OK;
    size_t isz = ct_itemsize(dt);
    uint64_t nan_key = is_float_dt(dt) ? width_mask(w) : 0;   /* ints: key 0 is never treated as NaN */
    int floats = is_float_dt(dt);
    ct_ws ws;
    if (!ws_alloc(&ws, n)) { ws_free(&ws); return CT_ERR_NOMEM; }
    if (consecutive) {
        make_keys(dt, in, 1, n, ws.k, 0);
        for (int64_t j = 0; j < n; j++) ws.ix[j] = j;
    } else {
        sorted_row(dt, in, 1, n, 0, &ws);
    }
    int64_t g = -1;
    for (int64_t j = 0; j < n; j++) {
        if (j == 0 || ws.k[j] != ws.k[j - 1] || (floats && ws.k[j] == nan_key)) {
            g++;
            counts[g] = 0;
            gather(isz, in, 1, &ws.ix[j], 1, vals + g * (int64_t)isz, 1);
        }
        counts[g]++;
        inverse[ws.ix[j]] = g;
    }
    *nunique = g + 1;
    ws_free(&ws);
    return CT_OK;
}

/* Groups of equal rows of a contiguous [n, m] array; vals gets one copy of each */
int ct_unique_rows(int dt, const char *in, int64_t n, int64_t m, int consecutive, char *vals,
                   int64_t *inverse, int64_t *counts, int64_t *nunique) {
    int w = key_width(dt);
    if (!w) return CT_ERR_VALUE;
    *nunique = 0;
    if (n == 0) return CT_OK;
    size_t isz = ct_itemsize(dt);
    int floats = is_float_dt(dt);
    uint64_t nan_key = width_mask(w);
    uint64_t *keys = malloc((size_t)(n * m > 0 ? n * m : 1) * sizeof(uint64_t));
    ct_ws ws;
    int ok = ws_alloc(&ws, n);
    if (!keys || !ok) { free(keys); ws_free(&ws); return CT_ERR_NOMEM; }
    make_keys(dt, in, 1, n * m, keys, 0);
    for (int64_t j = 0; j < n; j++) ws.ix[j] = j;
    if (!consecutive) {
        /* LSD over columns: stable sorts by the last column first give lexicographic order */
        for (int64_t c = m - 1; c >= 0; c--) {
            for (int64_t j = 0; j < n; j++) ws.k[j] = keys[ws.ix[j] * m + c];
            radix_sort(ws.k, ws.ix, ws.tk, ws.ti, n, w);
        }
    }
    int64_t g = -1;
    for (int64_t j = 0; j < n; j++) {
        int fresh = j == 0;
        if (!fresh) {
            const uint64_t *a = keys + ws.ix[j - 1] * m, *b = keys + ws.ix[j] * m;
            for (int64_t c = 0; c < m && !fresh; c++)
                fresh = a[c] != b[c] || (floats && a[c] == nan_key);
        }
        if (fresh) {
            g++;
            counts[g] = 0;
            memcpy(vals + g * m * (int64_t)isz, in + ws.ix[j] * m * (int64_t)isz, (size_t)m * isz);
        }
        counts[g]++;
        inverse[ws.ix[j]] = g;
    }
    *nunique = g + 1;
    free(keys);
    ws_free(&ws);
    return CT_OK;
}

/* ------------------------------------------------------------------ searchsorted */

/* First position p in sorted keys s[0..n) with s[p] >= v (> v when right). */
static inline int64_t bound(const uint64_t *s, int64_t n, uint64_t v, int right) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (right ? s[mid] <= v : s[mid] < v) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static int seq_keys(int dt, const char *seq, const int64_t *sorter, int64_t n, uint64_t *s) {
    size_t isz = ct_itemsize(dt);
    for (int64_t j = 0; j < n; j++) {
        int64_t p = j;
        if (sorter) {
            p = sorter[j];
            if (p < 0 || p >= n) return CT_ERR_INDEX;
        }
        s[j] = key_at(dt, seq + p * (int64_t)isz);
    }
    return CT_OK;
}

/* out[r, j] := insertion point of vals[r, j] in seq row r (or the only row) */
int ct_searchsorted(int dt, const char *seq, const int64_t *sorter, int64_t nseq_rows, int64_t n,
                    const char *vals, int64_t nrows, int64_t m, int right, int64_t *out) {
    if (!key_width(dt)) return CT_ERR_VALUE;
    if (nrows == 0 || m == 0) return CT_OK;
    size_t isz = ct_itemsize(dt), kbytes = (size_t)(n > 0 ? n : 1) * sizeof(uint64_t);
    int err = CT_OK;
    if (nseq_rows == 1) {
        uint64_t *s = malloc(kbytes);
        if (!s) return CT_ERR_NOMEM;
        err = seq_keys(dt, seq, sorter, n, s);
        if (err == CT_OK) {
            int64_t tot = nrows * m;
            #pragma omp parallel for num_threads(ct_get_num_threads()) if (tot >= CT_SORT_PAR_MIN)
            for (int64_t j = 0; j < tot; j++)
                out[j] = bound(s, n, key_at(dt, vals + j * (int64_t)isz), right);
        }
        free(s);
        return err;
    }
    #pragma omp parallel num_threads(ct_get_num_threads()) if (nrows > 1 && nrows * (n + m) >= CT_SORT_PAR_MIN)
    {
        uint64_t *s = malloc(kbytes);
        int e = s ? CT_OK : CT_ERR_NOMEM;
        #pragma omp for schedule(static)
        for (int64_t r = 0; r < nrows; r++) {
            if (e != CT_OK) continue;
            e = seq_keys(dt, seq + r * n * (int64_t)isz, sorter ? sorter + r * n : NULL, n, s);
            for (int64_t j = 0; j < m && e == CT_OK; j++)
                out[r * m + j] = bound(s, n, key_at(dt, vals + (r * m + j) * (int64_t)isz), right);
        }
        if (e != CT_OK) {
            #pragma omp atomic write
            err = e;
        }
        free(s);
    }
    return err;
}

/* ------------------------------------------------------------------ counting */

/* *hi := max(in) (-1 when empty); CT_ERR_VALUE if any in[j] < 0 */
int ct_bincount_max(const int64_t *in, int64_t n, int64_t *hi) {
    int64_t mx = -1, mn = 0;
    #pragma omp parallel for num_threads(ct_get_num_threads()) if (n >= CT_SORT_PAR_MIN) reduction(max:mx) reduction(min:mn)
    for (int64_t j = 0; j < n; j++) {
        if (in[j] > mx) mx = in[j];
        if (in[j] < mn) mn = in[j];
    }
    *hi = mx;
    return mn < 0 ? CT_ERR_VALUE : CT_OK;
}

/* out[v] := #{j : in[j] = v} */
int ct_bincount_i64(const int64_t *in, int64_t n, int64_t *out, int64_t nbins) {
    memset(out, 0, (size_t)nbins * sizeof(int64_t));
    for (int64_t j = 0; j < n; j++) {
        if (in[j] < 0 || in[j] >= nbins) return CT_ERR_INDEX;
        out[in[j]]++;
    }
    return CT_OK;
}

#define CT_BINCOUNT_W(name, T)                                                     \
    int name(const int64_t *in, const T *w, int64_t n, T *out, int64_t nbins) {    \
        memset(out, 0, (size_t)nbins * sizeof(T));                                 \
        for (int64_t j = 0; j < n; j++) {                                          \
            if (in[j] < 0 || in[j] >= nbins) return CT_ERR_INDEX;                  \
            out[in[j]] += w[j];                                                    \
        }                                                                          \
        return CT_OK;                                                              \
    }
/* out[v] := sum of w[j] over in[j] = v */
CT_BINCOUNT_W(ct_bincount_f32, float)
/* out[v] := sum of w[j] over in[j] = v */
CT_BINCOUNT_W(ct_bincount_f64, double)

#define CT_MINMAX(name, T)                                                         \
    void name(const T *in, int64_t n, double *lo, double *hi) {                    \
        T a = in[0], b = in[0];                                                    \
        for (int64_t j = 1; j < n; j++) {                                          \
            T x = in[j];                                                           \
            if (x != x) { a = b = x; break; }                                      \
            if (x < a) a = x;                                                      \
            if (x > b) b = x;                                                      \
        }                                                                          \
        *lo = (double)a; *hi = (double)b;                                          \
    }
/* lo, hi := min(in), max(in), NaN if any is NaN */
CT_MINMAX(ct_minmax_f32, float)
/* lo, hi := min(in), max(in), NaN if any is NaN */
CT_MINMAX(ct_minmax_f64, double)

#define CT_HISTC(name, T)                                                          \
    int name(const T *in, int64_t n, int64_t bins, double lo, double hi, T *out) { \
        T l = (T)lo, h = (T)hi, span = h - l;                                      \
        memset(out, 0, (size_t)bins * sizeof(T));                                  \
        for (int64_t j = 0; j < n; j++) {                                          \
            T x = in[j];                                                           \
            if (!(x >= l && x <= h)) continue;                                     \
            int64_t b = (int64_t)((x - l) / span * (T)bins);                       \
            if (b >= bins) b = bins - 1;                                           \
            if (b < 0) b = 0;                                                      \
            out[b] += 1;                                                           \
        }                                                                          \
        return CT_OK;                                                              \
    }
/* out[b] := #{x in [lo, hi] : floor((x - lo) / (hi - lo) * bins) = b} */
CT_HISTC(ct_histc_f32, float)
/* out[b] := #{x in [lo, hi] : floor((x - lo) / (hi - lo) * bins) = b} */
CT_HISTC(ct_histc_f64, double)

/* ------------------------------------------------------------------ quantile */

#define CT_QUANTILE(name, T, FLOOR, CEIL, RINT)                                    \
    int name(const T *sorted, int64_t outer, int64_t n, int64_t inner, const double *q, \
             int64_t nq, int interp, int ignore_nan, T *out) {                     \
        int64_t rows = outer * inner;                                              \
        if (n == 0) return CT_ERR_VALUE;                                           \
        for (int64_t r = 0; r < rows; r++) {                                       \
            const T *s = sorted + (r / inner) * n * inner + r % inner;             \
            int64_t valid = n;                                                     \
            while (valid > 0 && s[(valid - 1) * inner] != s[(valid - 1) * inner]) valid--; \
            for (int64_t t = 0; t < nq; t++) {                                     \
                T *dst = out + t * rows + r;                                       \
                if (valid == 0 || (!ignore_nan && valid < n)) { *dst = (T)NAN; continue; } \
                T rank = (T)q[t] * (T)(valid - 1);                                 \
                if (interp == 1) rank = FLOOR(rank);                               \
                else if (interp == 2) rank = CEIL(rank);                           \
                else if (interp == 4) rank = RINT(rank);                           \
                int64_t lo = (int64_t)rank, hi = (int64_t)CEIL(rank);              \
                if (hi > valid - 1) hi = valid - 1;                                \
                T a = s[lo * inner], b = s[hi * inner];                            \
                T wgt = interp == 3 ? (T)0.5 : rank - (T)lo;                       \
                if (interp == 1 || interp == 2 || interp == 4) { *dst = a; continue; } \
                /* lerp, exact at both ends */                                     \
                *dst = wgt < (T)0.5 ? a + wgt * (b - a) : b - (b - a) * ((T)1 - wgt); \
            }                                                                      \
        }                                                                          \
        return CT_OK;                                                              \
    }
/* out := s[lo] + w * (s[hi] - s[lo]) at rank q * (valid - 1) of each sorted row */
CT_QUANTILE(ct_quantile_f32, float, floorf, ceilf, rintf)
/* out := s[lo] + w * (s[hi] - s[lo]) at rank q * (valid - 1) of each sorted row */
CT_QUANTILE(ct_quantile_f64, double, floor, ceil, rint)
