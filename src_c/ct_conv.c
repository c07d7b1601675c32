/* ct_conv.c - convolution: implicit gemm micro-kernels, im2col for strided convs, direct
 * loops for depthwise convs.
 *
 * A stride-1 convolution is a gemm (output channels x output positions, depth = input
 * channels x kernel taps) whose operand rows are the zero-padded input planes shifted by
 * each tap's offset, so no im2col block is built (see "implicit gemm" below). A strided
 * convolution is a 1x1 convolution of its im2col block, run by the same code. Depthwise
 * convolutions (one input channel per group) are direct loops over planes. Everything runs
 * on our own OpenMP threads and register-blocked kernels: no BLAS call, so no hand-offs
 * between OpenMP's and OpenBLAS's thread pools (which stall for milliseconds each on a
 * loaded machine), and results do not depend on the thread count.
 */
/* FMA contraction for the micro-kernels (-std=c11 turns it off) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#endif
#include "ct_conv.h"
#include <limits.h>
#include <string.h>

#define CT_CONV_GRAIN 16384            /* below this many values a loop runs on one thread */
#define CT_COLS_BYTES (16 << 20)       /* im2col block of one chunk of images (strided convs) */

static inline int64_t ct_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t ct_max(int64_t a, int64_t b) { return a > b ? a : b; }

static inline int ct_nthreads(int64_t work) { return work >= CT_CONV_GRAIN ? ct_get_num_threads() : 1; }

/* ---------------------------------------------------------------- sizes */

typedef struct {
    int64_t Cg, X, L, KK, Kg, Mg;
    int depthwise;      /* one input channel per group, several groups: direct loops */
} ct_conv_plan;

static void ct_conv_make_plan(const ct_conv_geom *g, int64_t G, int64_t M, ct_conv_plan *p) {
    p->Cg = g->C;
    p->X = g->isize[0] * g->isize[1] * g->isize[2];
    p->L = g->osize[0] * g->osize[1] * g->osize[2];
    p->KK = g->k[0] * g->k[1] * g->k[2];
    p->Kg = p->Cg * p->KK;
    p->Mg = G > 0 ? M / G : 0;
    p->depthwise = p->Cg == 1 && G > 1;
}

int ct_conv_check(const ct_conv_geom *g, int64_t B, int64_t G, int64_t M) {
    if (B < 0 || G < 1 || M < 0 || M % G != 0 || g->C < 0) return CT_ERR_VALUE;
    for (int d = 0; d < 3; d++)
        if (g->isize[d] < 0 || g->osize[d] < 0 || g->k[d] < 1 || g->stride[d] < 1 || g->dil[d] < 1 || g->pad[d] < 0)
            return CT_ERR_VALUE;
    return CT_OK;
}

/* ---------------------------------------------------------------- im2col / col2im of one row
 * Row r of an image's im2col block is (channel c, kernel tap a, b, e); its entry for output
 * position o = (od, oh, ow) is x[c, od*sd - pd + a*dd, oh*sh - ph + b*dh, ow*sw - pw + e*dw].
 * The positions [l0, l1) are walked a width-line at a time; along a line the in-range
 * columns are one interval [lo, hi), so the inner loop has no bounds tests. */
#define CT_ROW_SETUP                                                                             \
    const int64_t KD = g->k[0], KH = g->k[1], KW = g->k[2];                                     \
    const int64_t ID = g->isize[0], IH = g->isize[1], IW = g->isize[2], OH = g->osize[1], OW = g->osize[2];   \
    const int64_t sd = g->stride[0], sh = g->stride[1], sw = g->stride[2];                      \
    int64_t e = r % KW, t = r / KW, kb = t % KH, ka = (t / KH) % KD, c = t / KH / KD;              \
    const int64_t offd = ka * g->dil[0] - g->pad[0], offh = kb * g->dil[1] - g->pad[1];          \
    const int64_t offw = e * g->dil[2] - g->pad[2];                                             \
    int64_t lo = offw >= 0 ? 0 : (-offw + sw - 1) / sw;                                         \
    int64_t hi = IW - 1 - offw < 0 ? 0 : (IW - 1 - offw) / sw + 1;                              \
    if (hi > OW) hi = OW;                                                                       \
    if (lo > hi) lo = hi;                                                                       \
    (void)KD;

#define CT_IM2COL_ROW(NAME, T)                                                                   \
static void NAME(const T *restrict x, const ct_conv_geom *g, int64_t r, int64_t l0, int64_t l1,  \
                 T *restrict dst) {                                                             \
    CT_ROW_SETUP                                                                                \
    const T *xc = x + c * ID * IH * IW;                                                         \
    for (int64_t l = l0; l < l1;) {                                                             \
        int64_t od = l / (OH * OW), rem = l - od * OH * OW, oh = rem / OW, ow = rem - oh * OW;  \
        int64_t n = ct_min(OW - ow, l1 - l), id = od * sd + offd, ih = oh * sh + offh;          \
        if (id < 0 || id >= ID || ih < 0 || ih >= IH) {                                         \
            memset(dst, 0, (size_t)n * sizeof(T));                                             \
        } else {                                                                                \
            const T *xr = xc + (id * IH + ih) * IW;                                             \
            int64_t a0 = ct_max(ow, lo), a1 = ct_min(ow + n, hi), j = ow;                      \
            for (; j < a0; j++) dst[j - ow] = 0;                                                \
            if (sw == 1) { if (a1 > a0) memcpy(dst + (a0 - ow), xr + a0 + offw, (size_t)(a1 - a0) * sizeof(T)); } \
            else for (j = a0; j < a1; j++) dst[j - ow] = xr[j * sw + offw];                     \
            for (j = ct_max(a1, a0); j < ow + n; j++) dst[j - ow] = 0;                          \
        }                                                                                       \
        dst += n;                                                                               \
        l += n;                                                                                 \
    }                                                                                           \
}

#define CT_COL2IM_ROW(NAME, T)                                                                   \
static void NAME(T *restrict x, const ct_conv_geom *g, int64_t r, int64_t l0, int64_t l1,        \
                 const T *restrict src) {                                                       \
    CT_ROW_SETUP                                                                                \
    T *xc = x + c * ID * IH * IW;                                                               \
    for (int64_t l = l0; l < l1;) {                                                             \
        int64_t od = l / (OH * OW), rem = l - od * OH * OW, oh = rem / OW, ow = rem - oh * OW;  \
        int64_t n = ct_min(OW - ow, l1 - l), id = od * sd + offd, ih = oh * sh + offh;          \
        if (id >= 0 && id < ID && ih >= 0 && ih < IH) {                                         \
            T *xr = xc + (id * IH + ih) * IW;                                                   \
            int64_t a0 = ct_max(ow, lo), a1 = ct_min(ow + n, hi);                               \
            if (sw == 1) for (int64_t j = a0; j < a1; j++) xr[j + offw] += src[j - ow];         \
            else for (int64_t j = a0; j < a1; j++) xr[j * sw + offw] += src[j - ow];            \
        }                                                                                       \
        src += n;                                                                               \
        l += n;                                                                                 \
    }                                                                                           \
}

CT_IM2COL_ROW(ct_im2col_row_f32, float)
CT_IM2COL_ROW(ct_im2col_row_f64, double)
CT_COL2IM_ROW(ct_col2im_row_f32, float)
CT_COL2IM_ROW(ct_col2im_row_f64, double)

/* im2col of positions [l0, l1) of nimg images (image i at x + i*xs) into rows of length ldc,
 * image i's block starting at column i*cs; one task per (image, row). */
#define CT_IM2COL_PAR(NAME, T, ROW)                                                              \
static void NAME(const T *x, int64_t xs, int64_t nimg, const ct_conv_geom *g, int64_t rows,      \
                 int64_t l0, int64_t l1, T *cols, int64_t ldc, int64_t cs) {                    \
    int64_t ntask = nimg * rows;                                                                \
    _Pragma("omp parallel for num_threads(ct_nthreads(ntask * (l1 - l0))) schedule(dynamic, 8)")    \
    for (int64_t q = 0; q < ntask; q++) {                                                       \
        int64_t i = q / rows, r = q - i * rows;                                                 \
        ROW(x + i * xs, g, r, l0, l1, cols + r * ldc + i * cs);                                 \
    }                                                                                           \
}

/* col2im (accumulating) of the same layout; one task per (image, channel): a channel's rows
 * write only its own plane, so tasks never race. */
#define CT_COL2IM_PAR(NAME, T, ROW)                                                              \
static void NAME(const T *cols, int64_t ldc, int64_t cs, int64_t nimg, const ct_conv_geom *g,    \
                 int64_t l0, int64_t l1, T *x, int64_t xs) {                                    \
    int64_t KK = g->k[0] * g->k[1] * g->k[2], ntask = nimg * g->C;                              \
    _Pragma("omp parallel for num_threads(ct_nthreads(ntask * KK * (l1 - l0))) schedule(dynamic, 8)") \
    for (int64_t q = 0; q < ntask; q++) {                                                       \
        int64_t i = q / g->C, c = q - i * g->C;                                                 \
        for (int64_t r = c * KK; r < (c + 1) * KK; r++)                                         \
            ROW(x + i * xs, g, r, l0, l1, cols + r * ldc + i * cs);                             \
    }                                                                                           \
}

CT_IM2COL_PAR(ct_im2col_par_f32, float, ct_im2col_row_f32)
CT_IM2COL_PAR(ct_im2col_par_f64, double, ct_im2col_row_f64)
CT_COL2IM_PAR(ct_col2im_par_f32, float, ct_col2im_row_f32)
CT_COL2IM_PAR(ct_col2im_par_f64, double, ct_col2im_row_f64)

/* ---------------------------------------------------------------- depthwise, direct
 * Plane (b, m) of y reads input plane c = m / mult only; each kernel tap adds w * a shifted
 * input line over the interval of in-range columns. */
#define CT_TAP_LOOP(BODY)                                                                        \
    for (int64_t r = 0; r < KK; r++) {                                                          \
        CT_ROW_SETUP                                                                            \
        (void)c;                                                                                \
        for (int64_t od = 0; od < g->osize[0]; od++) {                                            \
            int64_t id = od * sd + offd;                                                        \
            if (id < 0 || id >= ID) continue;                                                   \
            for (int64_t oh = 0; oh < OH; oh++) {                                               \
                int64_t ih = oh * sh + offh;                                                    \
                if (ih < 0 || ih >= IH) continue;                                               \
                int64_t yo = (od * OH + oh) * OW, xo = (id * IH + ih) * IW;                      \
                BODY                                                                            \
            }                                                                                   \
        }                                                                                       \
    }

#define CT_DW_FWD(NAME, T)                                                                       \
static void NAME(const T *x, const T *w, const T *bias, T *y, int64_t B, int64_t G, int64_t M,   \
                 const ct_conv_geom *g) {                                                       \
    int64_t X = g->isize[0] * g->isize[1] * g->isize[2], L = g->osize[0] * g->osize[1] * g->osize[2];          \
    int64_t KK = g->k[0] * g->k[1] * g->k[2], mult = M / G;                                     \
    _Pragma("omp parallel for num_threads(ct_nthreads(B * M * L * KK)) schedule(dynamic, 4)")       \
    for (int64_t q = 0; q < B * M; q++) {                                                       \
        int64_t b = q / M, m = q - b * M;                                                       \
        const T *xp = x + (b * G + m / mult) * X, *wp = w + m * KK;                             \
        T *yp = y + q * L, bv = bias ? bias[m] : 0;                                             \
        for (int64_t l = 0; l < L; l++) yp[l] = bv;                                             \
        CT_TAP_LOOP(                                                                            \
            T wv = wp[r]; T *yr = yp + yo; const T *xr = xp + xo;                               \
            if (sw == 1) for (int64_t j = lo; j < hi; j++) yr[j] += wv * xr[j + offw];          \
            else for (int64_t j = lo; j < hi; j++) yr[j] += wv * xr[j * sw + offw];)            \
    }                                                                                           \
}

#define CT_DW_BWD_INPUT(NAME, T)                                                                 \
static void NAME(const T *gy, const T *w, T *gx, int64_t B, int64_t G, int64_t M,                \
                 const ct_conv_geom *g) {                                                       \
    int64_t X = g->isize[0] * g->isize[1] * g->isize[2], L = g->osize[0] * g->osize[1] * g->osize[2];          \
    int64_t KK = g->k[0] * g->k[1] * g->k[2], mult = M / G;                                     \
    _Pragma("omp parallel for num_threads(ct_nthreads(B * M * L * KK)) schedule(dynamic, 4)")       \
    for (int64_t q = 0; q < B * G; q++) {                                                       \
        int64_t b = q / G, ch = q - b * G;                                                      \
        T *xp = gx + q * X;                                                                     \
        memset(xp, 0, (size_t)X * sizeof(T));                                                   \
        for (int64_t m = ch * mult; m < (ch + 1) * mult; m++) {                                 \
            const T *yp = gy + (b * M + m) * L, *wp = w + m * KK;                               \
            CT_TAP_LOOP(                                                                        \
                T wv = wp[r]; const T *yr = yp + yo; T *xr = xp + xo;                           \
                if (sw == 1) for (int64_t j = lo; j < hi; j++) xr[j + offw] += wv * yr[j];      \
                else for (int64_t j = lo; j < hi; j++) xr[j * sw + offw] += wv * yr[j];)        \
        }                                                                                       \
    }                                                                                           \
}

/* 8 independent partial sums so the dot product vectorises without reassociation flags */
#define CT_DW_BWD_WEIGHT(NAME, T)                                                                \
static void NAME(const T *x, const T *gy, T *gw, int64_t B, int64_t G, int64_t M,                \
                 const ct_conv_geom *g) {                                                       \
    int64_t X = g->isize[0] * g->isize[1] * g->isize[2], L = g->osize[0] * g->osize[1] * g->osize[2];          \
    int64_t KK = g->k[0] * g->k[1] * g->k[2], mult = M / G;                                     \
    _Pragma("omp parallel for num_threads(ct_nthreads(B * M * L * KK)) schedule(dynamic, 4)")       \
    for (int64_t m = 0; m < M; m++) {                                                           \
        for (int64_t r0 = 0; r0 < KK; r0++) gw[m * KK + r0] = 0;                                \
        for (int64_t b = 0; b < B; b++) {                                                       \
            const T *xp = x + (b * G + m / mult) * X, *yp = gy + (b * M + m) * L;              \
            CT_TAP_LOOP(                                                                        \
                const T *yr = yp + yo; const T *xr = xp + xo;                                   \
                T p[8];                                                                         \
                for (int u = 0; u < 8; u++) p[u] = 0;                                           \
                int64_t j = lo;                                                                 \
                if (sw == 1) for (; j + 8 <= hi; j += 8)                                        \
                    for (int u = 0; u < 8; u++) p[u] += yr[j + u] * xr[j + u + offw];           \
                for (; j < hi; j++) p[0] += yr[j] * xr[j * sw + offw];                          \
                gw[m * KK + r] += ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));) \
        }                                                                                       \
    }                                                                                           \
}

CT_DW_FWD(ct_dw_fwd_f32, float)
CT_DW_FWD(ct_dw_fwd_f64, double)
CT_DW_BWD_INPUT(ct_dw_bwd_input_f32, float)
CT_DW_BWD_INPUT(ct_dw_bwd_input_f64, double)
CT_DW_BWD_WEIGHT(ct_dw_bwd_weight_f32, float)
CT_DW_BWD_WEIGHT(ct_dw_bwd_weight_f64, double)

/* ---------------------------------------------------------------- implicit gemm (stride 1)
 * With stride 1, output position (od, oh, ow) reads input (od + a*dd, oh + b*dh, ow + e*dw) of
 * the padded image. Laid out flat with the padded row width Wp, that is flat index l + off(tap):
 * output channels x flat positions is a gemm whose B rows are the padded planes shifted by
 * off(tap), with no im2col block at all. Positions with ow >= OW (or oh >= OH) are computed and
 * dropped; the planes of several images placed one after the other make one long row. The
 * micro-kernel keeps a CT_MR x CT_NV-vector block of y in registers (GCC vector types, cloned
 * for AVX-512 / AVX2+FMA / baseline). The weight gradient is the same sum read the other way:
 * a dot product over positions of gy rows with shifted planes, per (channel, tap) pair.
 * Every value is summed in an order fixed by the shapes alone, whatever the thread count. */

#define CT_MR 8            /* output channels per micro-tile (the kernel is written for CT_NV = 3) */
#define CT_NV 3            /* vectors of positions per micro-tile */
#define CT_KC 512          /* gemm depth per pass, so a weight panel stays in L1 */
#define CT_LB 8            /* micro-tiles of positions per task */
#define CT_DMR 4           /* weight gradient: output channels per tile */
#define CT_DNK 6           /* weight gradient: (channel, tap) pairs per tile */
#define CT_CNP 14          /* channel-vectorised block: output positions, at most */
#define CT_CNK 12          /* channel-vectorised weight gradient: (channel, tap) pairs per block */
#define CT_CH_KC 256       /* channel-vectorised: gemm depth per pass (a 32 KiB float panel) */
#define CT_CH_MIN_M 32     /* channel-vectorised from this many output channels ... */
#define CT_CH_MIN_K 32     /* ... and this gemm depth (below, the transposes cost more than they save) */
#define CT_IMPL_BYTES (4 << 20)      /* padded planes of one chunk of images */
#define CT_DOT_BYTES (32 * 1024)    /* one padded plane of one chunk (weight gradient) */
#define CT_CHW_BYTES (512 * 1024)   /* padded planes + transposed gy of one chunk (weight gradient) */
#define CT_CHW_GROUP_BYTES (8 << 20) /* chunks prepared and reduced together (weight gradient) */

typedef float ct_vf32 __attribute__((vector_size(64)));
typedef float ct_vf32u __attribute__((vector_size(64), aligned(4)));
typedef double ct_vf64 __attribute__((vector_size(64)));
typedef double ct_vf64u __attribute__((vector_size(64), aligned(8)));

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && !defined(CT_NO_CLONES)
#define CT_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define CT_CLONES
#endif

/* How a stride-1 conv runs: which register block and what workspace. */
enum { CT_POS_FWD = 0, CT_POS_WGRAD = 1, CT_CH_FWD = 2, CT_CH_WGRAD = 3 };

typedef struct {
    int mode;
    int64_t Cin, Mout, KK, K;                      /* channels read / written per group, taps, Cin*KK */
    int64_t isz[3], osz[3], k[3], dil[3], lead[3];   /* input index = padded index - lead */
    int64_t Hp, Wp, P, Lv, L;      /* padded plane of P values; the last output is at flat Lv - 1 */
    int64_t nimg, CP;              /* images per chunk; channel stride of a chunk's planes (nimg*P) */
    int64_t ngrp;                  /* channel-vectorised weight gradient: chunks per parallel phase */
    int64_t cs, is;                /* channel and image strides of the planes the kernels read */
    int direct;                    /* unpadded, uncropped, channel-vectorised: read the input in place */
    int64_t V, NR, R, Mt;          /* vector length, positions per micro-tile, channels per tile, tiles */
    int64_t off_n, w_n, xp_n, buf_n;   /* workspace parts (elements) */
    int nth;
} ct_impl;

/* keep short copy loops as loops (GCC would turn them into memcpy/memset calls) */
#if defined(__GNUC__) && !defined(__clang__)
#define CT_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define CT_NO_LIBCALLS
#endif

static int ct_is_stride1(const ct_conv_geom *g) {
    return g->stride[0] == 1 && g->stride[1] == 1 && g->stride[2] == 1;
}

static int64_t ct_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

/* wgrad 0: a conv from Cin to Mout channels; 1: its weight gradient */
static void ct_impl_plan(ct_impl *q, int64_t Cin, int64_t Mout, const int64_t *isz, const int64_t *osz,
                         const int64_t *k, const int64_t *dil, const int64_t *lead, int64_t B, int64_t G,
                         int64_t isize, int wgrad) {
    q->Cin = Cin;
    q->Mout = Mout;
    for (int d = 0; d < 3; d++) {
        q->isz[d] = isz[d]; q->osz[d] = osz[d]; q->k[d] = k[d]; q->dil[d] = dil[d]; q->lead[d] = lead[d];
    }
    q->KK = k[0] * k[1] * k[2];
    q->K = Cin * q->KK;
    int64_t Dp = osz[0] + (k[0] - 1) * dil[0];
    q->Hp = osz[1] + (k[1] - 1) * dil[1];
    q->Wp = osz[2] + (k[2] - 1) * dil[2];
    q->P = Dp * q->Hp * q->Wp;
    q->Lv = (osz[0] - 1) * q->Hp * q->Wp + (osz[1] - 1) * q->Wp + osz[2];
    q->L = osz[0] * osz[1] * osz[2];
    q->V = 64 / isize;
    q->NR = CT_NV * q->V;
    q->nth = ct_get_num_threads();
    int ch = Mout >= CT_CH_MIN_M && q->K >= CT_CH_MIN_K;
    q->mode = wgrad ? (ch ? CT_CH_WGRAD : CT_POS_WGRAD) : (ch ? CT_CH_FWD : CT_POS_FWD);
    q->R = ch ? 2 * q->V : (wgrad ? CT_DMR : CT_MR);
    q->Mt = (Mout + q->R - 1) / q->R;
    int64_t per = ct_max(Cin, 1) * q->P * isize, budget = CT_IMPL_BYTES;
    if (q->mode == CT_POS_WGRAD) { per = q->P * isize; budget = CT_DOT_BYTES; }
    if (q->mode == CT_CH_WGRAD) { per += q->L * q->Mt * q->R * isize; budget = CT_CHW_BYTES; }
    q->nimg = ct_max(1, ct_min(B, budget / ct_max(per, 1)));
    q->CP = q->nimg * q->P;
    q->cs = q->CP;
    q->is = q->P;
    /* unpadded and not cropped: the padded planes would be the input itself */
    q->direct = ch && lead[0] == 0 && lead[1] == 0 && lead[2] == 0 && Dp == isz[0] && q->Hp == isz[1] &&
                q->Wp == isz[2];
    q->off_n = ct_up(q->K + CT_CNK, 8);
    /* the channel-vectorised weight gradient prepares up to ngrp chunks at once, each with its
     * own partial gradient, so that threads meet three times per group rather than per chunk */
    q->ngrp = 1;
    if (q->mode == CT_CH_WGRAD) {
        int64_t nch = (B + q->nimg - 1) / q->nimg;
        int64_t per_chunk = (q->direct ? 0 : Cin * q->CP) + q->nimg * q->L * q->Mt * q->R + Mout * q->K;
        q->ngrp = ct_max(1, ct_min(nch, CT_CHW_GROUP_BYTES / ct_max(per_chunk * isize, 1)));
    }
    q->xp_n = ct_up((q->mode == CT_CH_WGRAD && q->direct ? 0 : q->ngrp * Cin * q->CP) + q->NR, 16);
    q->w_n = wgrad ? 0 : ct_up(G * q->Mt * q->R * q->K, 16);
    switch (q->mode) {
    case CT_POS_FWD: q->buf_n = (int64_t)q->nth * CT_MR * CT_LB * q->NR; break;
    case CT_POS_WGRAD: q->buf_n = q->Mt * CT_DMR * (q->CP + q->NR); break;
    case CT_CH_FWD: q->buf_n = (int64_t)q->nth * osz[2] * q->R; break;
    default: q->buf_n = q->ngrp * (q->nimg * q->L * q->Mt * q->R + Mout * q->K);
    }
}

static int64_t ct_impl_bytes(const ct_impl *q, int64_t isize) {
    return q->off_n * 8 + (q->w_n + q->xp_n + q->buf_n) * isize;
}

/* off[k] for k = (c, a, b, e): where tap (a, b, e) of channel c starts in the chunk's planes;
 * the entries past K repeat the last one (tiles of the weight gradient read them). */
static void ct_impl_offsets(const ct_impl *q, int64_t *off) {
    for (int64_t kk = 0; kk < q->K; kk++) {
        int64_t e = kk % q->k[2], t = kk / q->k[2], b = t % q->k[1], a = (t / q->k[1]) % q->k[0];
        int64_t c = kk / q->KK;
        off[kk] = c * q->cs + (a * q->dil[0] * q->Hp + b * q->dil[1]) * q->Wp + e * q->dil[2];
    }
    for (int64_t kk = q->K; kk < q->K + CT_CNK; kk++) off[kk] = q->K > 0 ? off[q->K - 1] : 0;
}

/* Channel c of image i of a chunk of ncur into the chunk's planes xp: the padded plane
 * dst[dp, hp, wp] := src[dp - lead0, hp - lead1, wp - lead2] (0 outside) at dst = xp + c*CP + i*P;
 * the last image's plane is followed by zeros up to NR values (a micro-tile reads that far). */
#define CT_PAD_PLANE(NAME, T)                                                                    \
static CT_NO_LIBCALLS void NAME(const ct_impl *q, const T *src, T *xp, int64_t c, int64_t i, int64_t ncur) { \
    const int64_t ID = q->isz[0], IH = q->isz[1], IW = q->isz[2], Hp = q->Hp, Wp = q->Wp;       \
    T *dst = xp + c * q->CP + i * q->P;                                                         \
    const int64_t Dp = q->P / (Hp * Wp);                                                        \
    int64_t a = ct_min(ct_max(q->lead[2], 0), Wp), b = ct_max(ct_min(IW + q->lead[2], Wp), a);  \
    /* small planes (the common case here) are a few dozen bytes a row: one memset of the      \
     * plane and plain copy loops, not three library calls per row */                           \
    memset(dst, 0, (size_t)q->P * sizeof(T));                                                   \
    for (int64_t dp = 0; dp < Dp; dp++)                                                         \
        for (int64_t hp = 0; hp < Hp; hp++) {                                                   \
            T *d = dst + (dp * Hp + hp) * Wp;                                                   \
            int64_t id = dp - q->lead[0], ih = hp - q->lead[1];                                 \
            if (id < 0 || id >= ID || ih < 0 || ih >= IH) continue;                             \
            const T *s = src + (id * IH + ih) * IW - q->lead[2];                                \
            if (b - a >= 64) memcpy(d + a, s + a, (size_t)(b - a) * sizeof(T));                 \
            else for (int64_t j = a; j < b; j++) d[j] = s[j];                                   \
        }                                                                                       \
    if (i == ncur - 1) memset(dst + q->P, 0, (size_t)ct_min(q->NR, q->CP - ncur * q->P) * sizeof(T)); \
}

/* Flat positions [l0, l1) of micro-tile rows m0 .. m0+mn (buf, row stride ldb) to the outputs
 * they stand for (+ bias); positions past an output row are dropped. */
#define CT_IMPL_OUT(NAME, T)                                                                     \
static inline __attribute__((always_inline)) void NAME(const ct_impl *q, const T *buf, int64_t ldb, int64_t m0, int64_t mn, int64_t l0, \
                 int64_t l1, const T *bias, T *dst, int64_t dst_is, int64_t Xout) {             \
    const int64_t OD = q->osz[0], OH = q->osz[1], OW = q->osz[2], Wp = q->Wp, HW = q->Hp * Wp;  \
    for (int64_t l = l0; l < l1;) {                                                             \
        int64_t img = l / q->P, rem = l - img * q->P, od = rem / HW, r2 = rem - od * HW;        \
        int64_t oh = r2 / Wp, ow = r2 - oh * Wp, n = ct_min(Wp - ow, l1 - l);                   \
        if (od < OD && oh < OH && ow < OW) {                                                    \
            int64_t cnt = ct_min(n, OW - ow);                                                   \
            for (int64_t m = m0; m < m0 + mn; m++) {                                            \
                T *d = dst + img * dst_is + m * Xout + (od * OH + oh) * OW + ow;                \
                const T *s = buf + (m - m0) * ldb + (l - l0);                                   \
                T bv = bias ? bias[m] : 0;                                                      \
                for (int64_t j = 0; j < cnt; j++) d[j] = s[j] + bv;                             \
            }                                                                                   \
        }                                                                                       \
        l += n;                                                                                 \
    }                                                                                           \
}

/* One task: channel tile mt over micro-tiles [t0, t1) of positions (each image's first Lv flat
 * positions cut into ntimg micro-tiles), all of K, into buf (CT_MR rows of CT_LB*NR), then out
 * to dst. y[i, j] = sum_k wp[k, i] * xp[off[k] + j]. */
#define CT_IMPL_TASK(NAME, T, VT, VTU, OUT)                                                      \
static CT_CLONES void NAME(const ct_impl *q, const T *wpack, const T *xp, const int64_t *off,    \
                           int64_t mt, int64_t t0, int64_t t1, int64_t ntimg, T *buf,            \
                           const T *bias, T *dst, int64_t dst_is, int64_t Xout) {               \
    const int64_t V = q->V, NR = CT_NV * V, ldb = CT_LB * NR, K = q->K;                         \
    for (int64_t kc = 0; kc < K; kc += CT_KC) {                                                 \
        const int64_t kn = ct_min(CT_KC, K - kc);                                               \
        const T *wpn = wpack + (mt * K + kc) * CT_MR;                                           \
        const int64_t *of = off + kc;                                                           \
        for (int64_t t = t0; t < t1; t++) {                                                     \
            const int64_t img = t / ntimg, lt = t - img * ntimg;                                \
            const T *xb = xp + img * q->P + lt * NR;                                            \
            T *yb = buf + (t - t0) * NR;                                                        \
            VT acc[CT_MR][CT_NV];                                                               \
            for (int i = 0; i < CT_MR; i++)                                                     \
                for (int j = 0; j < CT_NV; j++)                                                 \
                    acc[i][j] = kc ? *(const VTU *)(yb + i * ldb + j * V) : (VT){0};            \
            for (int64_t kk = 0; kk < kn; kk++) {                                               \
                const T *b = xb + of[kk], *w = wpn + kk * CT_MR;                                \
                VT b0 = *(const VTU *)b, b1 = *(const VTU *)(b + V), b2 = *(const VTU *)(b + 2 * V); \
                for (int i = 0; i < CT_MR; i++) {                                               \
                    acc[i][0] += w[i] * b0;                                                     \
                    acc[i][1] += w[i] * b1;                                                     \
                    acc[i][2] += w[i] * b2;                                                     \
                }                                                                               \
            }                                                                                   \
            for (int i = 0; i < CT_MR; i++)                                                     \
                for (int j = 0; j < CT_NV; j++) *(VTU *)(yb + i * ldb + j * V) = acc[i][j];      \
        }                                                                                       \
    }                                                                                           \
    for (int64_t t = t0; t < t1; t++) {                                                         \
        const int64_t img = t / ntimg, lt = t - img * ntimg, l0 = img * q->P + lt * NR;         \
        OUT(q, buf + (t - t0) * NR, ldb, mt * CT_MR, ct_min(CT_MR, q->Mout - mt * CT_MR), l0,   \
            l0 + ct_min(NR, q->Lv - lt * NR), bias, dst, dst_is, Xout);                         \
    }                                                                                           \
}

/* gw[m, k] += sum_l gyp[m, l] * xp[off[k] + l] for a CT_DMR x CT_DNK tile, over the first Lv
 * positions (rounded up to whole vectors) of each of nimg images;
 * lanes summed in a fixed order at the end. */
#define CT_DOT_TASK(NAME, T, VT, VTU)                                                            \
static CT_CLONES void NAME(const ct_impl *q, const T *gyp, int64_t ldg, const T *xp,            \
                           const int64_t *off, int64_t mt, int64_t kt, int64_t nimg, T *gw) {  \
    const int64_t V = q->V;                                                                     \
    const int64_t *of = off + kt * CT_DNK;                                                      \
    const T *a0 = gyp + mt * CT_DMR * ldg;                                                      \
    VT acc[CT_DMR][CT_DNK];                                                                     \
    for (int i = 0; i < CT_DMR; i++)                                                            \
        for (int j = 0; j < CT_DNK; j++) acc[i][j] = (VT){0};                                   \
    /* each image's run of vectors, or one run over the chunk when those would overlap */      \
    const int64_t nv = (q->Lv + V - 1) / V, split = nv * V <= q->P;                             \
    const int64_t nvt = split ? nimg * nv : ((nimg - 1) * q->P + q->Lv + V - 1) / V;            \
    for (int64_t v = 0; v < nvt; v++) {                                                         \
        const int64_t img = split ? v / nv : 0, l = img * q->P + (v - img * nv) * V;            \
        VT a[CT_DMR];                                                                           \
        for (int i = 0; i < CT_DMR; i++) a[i] = *(const VTU *)(a0 + i * ldg + l);               \
        for (int j = 0; j < CT_DNK; j++) {                                                      \
            VT b = *(const VTU *)(xp + of[j] + l);                                              \
            for (int i = 0; i < CT_DMR; i++) acc[i][j] += a[i] * b;                             \
        }                                                                                       \
    }                                                                                           \
    for (int i = 0; i < CT_DMR; i++)                                                            \
        for (int j = 0; j < CT_DNK; j++) {                                                      \
            int64_t m = mt * CT_DMR + i, kk = kt * CT_DNK + j;                                  \
            if (m >= q->Mout || kk >= q->K) continue;                                           \
            T s = 0;                                                                            \
            for (int u = 0; u < V; u++) s += acc[i][j][u];                                      \
            gw[m * q->K + kk] += s;                                                             \
        }                                                                                       \
}

CT_PAD_PLANE(ct_pad_plane_f32, float)
CT_PAD_PLANE(ct_pad_plane_f64, double)
CT_IMPL_OUT(ct_impl_out_f32, float)
CT_IMPL_OUT(ct_impl_out_f64, double)
CT_IMPL_TASK(ct_impl_task_f32, float, ct_vf32, ct_vf32u, ct_impl_out_f32)
CT_IMPL_TASK(ct_impl_task_f64, double, ct_vf64, ct_vf64u, ct_impl_out_f64)
CT_DOT_TASK(ct_dot_task_f32, float, ct_vf32, ct_vf32u)
CT_DOT_TASK(ct_dot_task_f64, double, ct_vf64, ct_vf64u)

#ifdef _OPENMP
#include <omp.h>
#define CT_TID omp_get_thread_num()
#else
#define CT_TID 0
#endif

/* The gemm over chunks of images: per chunk and group, pad the planes (tasks over (image,
 * channel)), then run (position block, channel tile) tasks that write dst directly. src: image
 * i, group g, channel c at src + i*src_is + g*src_gs + c*Xin; dst likewise with Xout. */
#define CT_IMPL_RUN(NAME, T, PAD, TASK)                                                          \
static void NAME(const ct_impl *q, const T *src, int64_t src_is, int64_t src_gs, int64_t Xin,    \
                 const T *wpack, const T *bias, T *dst, int64_t dst_is, int64_t dst_gs,          \
                 int64_t Xout, int64_t B, int64_t G, int64_t *off, T *xp, T *buf) {              \
    const int64_t NR = q->NR, Cin = q->Cin, CP = q->CP;                                         \
    ct_impl_offsets(q, off);                                                                    \
    memset(xp + Cin * CP, 0, (size_t)NR * sizeof(T));                                           \
    _Pragma("omp parallel num_threads(q->nth)")                                                 \
    {                                                                                           \
        T *mybuf = buf + (int64_t)CT_TID * CT_MR * CT_LB * NR;                                  \
        for (int64_t b0 = 0; b0 < B; b0 += q->nimg) {                                           \
            const int64_t ncur = ct_min(q->nimg, B - b0), ntimg = (q->Lv + NR - 1) / NR;       \
            const int64_t nt = ncur * ntimg, nlb = (nt + CT_LB - 1) / CT_LB;                   \
            for (int64_t gi = 0; gi < G; gi++) {                                                \
                _Pragma("omp for schedule(dynamic, 4)")                                           \
                for (int64_t t = 0; t < ncur * Cin; t++) {                                      \
                    int64_t i = t / Cin, c = t - i * Cin;                                       \
                    PAD(q, src + (b0 + i) * src_is + gi * src_gs + c * Xin, xp, c, i, ncur);    \
                }                                                                               \
                _Pragma("omp for schedule(dynamic, 1)")                                           \
                for (int64_t t = 0; t < nlb * q->Mt; t++) {                                     \
                    int64_t lb = t / q->Mt, mt = t - lb * q->Mt;                                \
                    TASK(q, wpack + gi * q->Mt * CT_MR * q->K, xp, off, mt, lb * CT_LB,         \
                         ct_min(nt, (lb + 1) * CT_LB), ntimg, mybuf,                           \
                         bias ? bias + gi * q->Mout : NULL, dst + b0 * dst_is + gi * dst_gs,   \
                         dst_is, Xout);                                                         \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
}

/* Weight gradient over chunks: pad x's planes and lay gy out on the same flat positions (0 at
 * dropped ones), then (channel tile, tap tile) tasks add their dot products into gw. */
#define CT_DOT_RUN(NAME, T, PAD, TASK)                                                           \
static void NAME(const ct_impl *q, const T *x, int64_t x_is, int64_t x_gs, int64_t X,            \
                 const T *gy, int64_t gy_is, int64_t gy_gs, int64_t L, T *gw, int64_t B,         \
                 int64_t G, int64_t *off, T *xp, T *gyp) {                                      \
    const int64_t NR = q->NR, Cin = q->Cin, Mout = q->Mout, P = q->P, CP = q->CP;     \
    const int64_t ldg = CP + NR, OD = q->osz[0], OH = q->osz[1], OW = q->osz[2];                \
    const int64_t HW = q->Hp * q->Wp, nkt = (q->K + CT_DNK - 1) / CT_DNK;                       \
    ct_impl_offsets(q, off);                                                                    \
    memset(xp + Cin * CP, 0, (size_t)NR * sizeof(T));                                           \
    memset(gyp + Mout * ldg, 0, (size_t)((q->Mt * CT_DMR - Mout) * ldg) * sizeof(T));           \
    memset(gw, 0, (size_t)(G * Mout * q->K) * sizeof(T));                                       \
    _Pragma("omp parallel num_threads(q->nth)")                                                 \
    for (int64_t b0 = 0; b0 < B; b0 += q->nimg) {                                               \
        const int64_t ncur = ct_min(q->nimg, B - b0);                                           \
        for (int64_t gi = 0; gi < G; gi++) {                                                    \
            _Pragma("omp for schedule(dynamic, 4)")                                               \
            for (int64_t t = 0; t < ncur * (Cin + Mout); t++) {                                 \
                int64_t i = t / (Cin + Mout), c = t - i * (Cin + Mout);                         \
                if (c < Cin) {                                                                  \
                    PAD(q, x + (b0 + i) * x_is + gi * x_gs + c * X, xp, c, i, ncur);            \
                    continue;                                                                   \
                }                                                                               \
                c -= Cin;                                                                       \
                T *d = gyp + c * ldg + i * P;                                                   \
                const T *s = gy + (b0 + i) * gy_is + gi * gy_gs + c * L;                        \
                memset(d, 0, (size_t)P * sizeof(T));                                            \
                for (int64_t od = 0; od < OD; od++)                                             \
                    for (int64_t oh = 0; oh < OH; oh++)                                         \
                        memcpy(d + od * HW + oh * q->Wp, s + (od * OH + oh) * OW, (size_t)OW * sizeof(T)); \
                if (i == ncur - 1) memset(d + P, 0, (size_t)(ldg - ncur * P) * sizeof(T));      \
            }                                                                                   \
            _Pragma("omp for schedule(dynamic, 1)")                                               \
            for (int64_t t = 0; t < q->Mt * nkt; t++) {                                         \
                int64_t mt = t / nkt, kt = t - mt * nkt;                                        \
                TASK(q, gyp, ldg, xp, off, mt, kt, ncur, gw + gi * Mout * q->K);                  \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
}

CT_IMPL_RUN(ct_pos_run_f32, float, ct_pad_plane_f32, ct_impl_task_f32)
CT_IMPL_RUN(ct_pos_run_f64, double, ct_pad_plane_f64, ct_impl_task_f64)
CT_DOT_RUN(ct_dot_run_f32, float, ct_pad_plane_f32, ct_dot_task_f32)
CT_DOT_RUN(ct_dot_run_f64, double, ct_pad_plane_f64, ct_dot_task_f64)

/* ---------------------------------------------------------------- channel-vectorised blocks
 * With many output channels it pays to vectorise over them instead of over positions: a
 * register block is up to CT_CNP output positions of one output row x R = 2 vectors of
 * channels, each input value is broadcast from the padded planes, and only real outputs are
 * computed (no dropped columns, which cost 20-40% on small images), at the price of
 * transposing each block on its way to the channels-first output. The weight gradient does
 * the same with a CT_CNK (channel, tap) x R block, reading gy transposed ([position][channel])
 * so that no lanes need summing. */
#define CT_CH_KERNEL(NAME, T, VT, VTU)                                                           \
static inline __attribute__((always_inline)) void NAME(const int np, int64_t kn, const T *w,    \
        const T *xb, const int64_t *of, T *buf, int init) {                                     \
    const int64_t V = (int64_t)(sizeof(VT) / sizeof(T));                                        \
    VT acc[CT_CNP][2];                                                                          \
    for (int j = 0; j < np; j++) {                                                              \
        acc[j][0] = init ? (VT){0} : *(const VTU *)(buf + j * 2 * V);                           \
        acc[j][1] = init ? (VT){0} : *(const VTU *)(buf + j * 2 * V + V);                       \
    }                                                                                           \
    for (int64_t k = 0; k < kn; k++) {                                                          \
        VT w0 = *(const VTU *)(w + k * 2 * V), w1 = *(const VTU *)(w + k * 2 * V + V);          \
        const T *xk = xb + of[k];                                                               \
        for (int j = 0; j < np; j++) {                                                          \
            T xv = xk[j];                                                                       \
            acc[j][0] += w0 * xv;                                                               \
            acc[j][1] += w1 * xv;                                                               \
        }                                                                                       \
    }                                                                                           \
    for (int j = 0; j < np; j++) {                                                              \
        *(VTU *)(buf + j * 2 * V) = acc[j][0];                                                  \
        *(VTU *)(buf + j * 2 * V + V) = acc[j][1];                                              \
    }                                                                                           \
}

/* One task: channel tile mt of output row (img, od, oh), all of K in passes of <= CT_KC, then
 * transposed out to dst (+ bias). */
#define CT_CH_TASK(NAME, T, VT, VTU, KERNEL)                                                     \
static CT_CLONES void NAME(const ct_impl *q, const T *wpanel, const T *xp, const int64_t *off,  \
                           int64_t mt, int64_t img, int64_t od, int64_t oh, T *buf,              \
                           const T *bias, T *dst, int64_t dst_is, int64_t Xout) {               \
    const int64_t R = q->R, K = q->K, OW = q->osz[2], OH = q->osz[1];                           \
    const int64_t base = img * q->is + (od * q->Hp + oh) * q->Wp;                               \
    const int64_t ntile = (OW + CT_CNP - 1) / CT_CNP, np = (OW + ntile - 1) / ntile;            \
    const int64_t nkc = (K + CT_CH_KC - 1) / CT_CH_KC, kcs = (K + nkc - 1) / nkc;               \
    for (int64_t kc = 0; kc < K; kc += kcs) {                                                   \
        const int64_t kn = ct_min(kcs, K - kc);                                                 \
        const T *w = wpanel + (mt * K + kc) * R;                                                \
        for (int64_t ow0 = 0; ow0 < OW; ow0 += np) {                                            \
            const T *xb = xp + base + ow0;                                                      \
            T *bf = buf + ow0 * R;                                                              \
            switch ((int)ct_min(np, OW - ow0)) {                                                \
            case 1: KERNEL(1, kn, w, xb, off + kc, bf, kc == 0); break;                         \
            case 2: KERNEL(2, kn, w, xb, off + kc, bf, kc == 0); break;                         \
            case 3: KERNEL(3, kn, w, xb, off + kc, bf, kc == 0); break;                         \
            case 4: KERNEL(4, kn, w, xb, off + kc, bf, kc == 0); break;                         \
            case 5: KERNEL(5, kn, w, xb, off + kc, bf, kc == 0); break;                         \
            case 6: KERNEL(6, kn, w, xb, off + kc, bf, kc == 0); break;                         \
            case 7: KERNEL(7, kn, w, xb, off + kc, bf, kc == 0); break;                         \
            case 8: KERNEL(8, kn, w, xb, off + kc, bf, kc == 0); break;                         \
            case 9: KERNEL(9, kn, w, xb, off + kc, bf, kc == 0); break;                         \
            case 10: KERNEL(10, kn, w, xb, off + kc, bf, kc == 0); break;                       \
            case 11: KERNEL(11, kn, w, xb, off + kc, bf, kc == 0); break;                       \
            case 12: KERNEL(12, kn, w, xb, off + kc, bf, kc == 0); break;                       \
            case 13: KERNEL(13, kn, w, xb, off + kc, bf, kc == 0); break;                       \
            default: KERNEL(14, kn, w, xb, off + kc, bf, kc == 0); break;                       \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    const int64_t mn = ct_min(R, q->Mout - mt * R);                                             \
    T *d = dst + img * dst_is + mt * R * Xout + (od * OH + oh) * OW;                            \
    for (int64_t m = 0; m < mn; m++) {                                                          \
        T bv = bias ? bias[mt * R + m] : 0;                                                     \
        for (int64_t ow = 0; ow < OW; ow++) d[m * Xout + ow] = buf[ow * R + m] + bv;            \
    }                                                                                           \
}

/* gw[m, k] := sum over the chunk's output positions p of gyt[p, m] * xp[off[k] + base(p)],
 * for channel tile mt and (channel, tap) block kt. */
#define CT_CHW_TASK(NAME, T, VT, VTU)                                                            \
static CT_CLONES void NAME(const ct_impl *q, const T *gyt, const T *xp, const int64_t *off,     \
                           int64_t mt, int64_t kt, int64_t nimg, T *gw) {                       \
    const int64_t V = q->V, R = q->R, Mp = q->Mt * R, OD = q->osz[0], OH = q->osz[1];          \
    const int64_t OW = q->osz[2];                                                               \
    const int64_t *of = off + kt * CT_CNK;                                                      \
    VT acc[CT_CNK][2];                                                                          \
    for (int j = 0; j < CT_CNK; j++) acc[j][0] = acc[j][1] = (VT){0};                           \
    for (int64_t img = 0; img < nimg; img++)                                                    \
        for (int64_t od = 0; od < OD; od++)                                                     \
            for (int64_t oh = 0; oh < OH; oh++) {                                               \
                const T *xb = xp + img * q->is + (od * q->Hp + oh) * q->Wp;                     \
                const T *g = gyt + (img * q->L + (od * OH + oh) * OW) * Mp + mt * R;            \
                for (int64_t ow = 0; ow < OW; ow++) {                                           \
                    VT a0 = *(const VTU *)(g + ow * Mp), a1 = *(const VTU *)(g + ow * Mp + V);  \
                    for (int j = 0; j < CT_CNK; j++) {                                          \
                        T xv = xb[of[j] + ow];                                                  \
                        acc[j][0] += a0 * xv;                                                   \
                        acc[j][1] += a1 * xv;                                                   \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
    for (int j = 0; j < CT_CNK; j++) {                                                          \
        const int64_t kk = kt * CT_CNK + j;                                                     \
        if (kk >= q->K) break;                                                                  \
        for (int64_t u = 0; u < R; u++) {                                                       \
            const int64_t m = mt * R + u;                                                       \
            if (m < q->Mout) gw[m * q->K + kk] = u < V ? acc[j][0][u] : acc[j][1][u - V];       \
        }                                                                                       \
    }                                                                                           \
}

CT_CH_KERNEL(ct_ch_kernel_f32, float, ct_vf32, ct_vf32u)
CT_CH_KERNEL(ct_ch_kernel_f64, double, ct_vf64, ct_vf64u)
CT_CH_TASK(ct_ch_task_f32, float, ct_vf32, ct_vf32u, ct_ch_kernel_f32)
CT_CH_TASK(ct_ch_task_f64, double, ct_vf64, ct_vf64u, ct_ch_kernel_f64)
CT_CHW_TASK(ct_chw_task_f32, float, ct_vf32, ct_vf32u)
CT_CHW_TASK(ct_chw_task_f64, double, ct_vf64, ct_vf64u)

/* The channel-vectorised gemm over chunks: pad the planes, then (image, band of output rows,
 * channel tile) tasks; arguments as for the position-vectorised run. */
#define CT_CH_RUN(NAME, T, PAD, TASK)                                                            \
static void NAME(const ct_impl *q0, const T *src, int64_t src_is, int64_t src_gs, int64_t Xin,   \
                 const T *wpack, const T *bias, T *dst, int64_t dst_is, int64_t dst_gs,          \
                 int64_t Xout, int64_t B, int64_t G, int64_t *off, T *xp0, T *buf) {             \
    ct_impl qq = *q0;                                                                           \
    const ct_impl *q = &qq;                                                                     \
    if (qq.direct) { qq.cs = Xin; qq.is = src_is; }                                             \
    const int64_t NR = q->NR, Cin = q->Cin, CP = q->CP;                                         \
    const int64_t rows = q->osz[0] * q->osz[1];                                                 \
    ct_impl_offsets(q, off);                                                                    \
    if (!qq.direct) memset(xp0 + Cin * CP, 0, (size_t)NR * sizeof(T));                          \
    _Pragma("omp parallel num_threads(q->nth)")                                                 \
    {                                                                                           \
        T *mybuf = buf + (int64_t)CT_TID * q->osz[2] * q->R;                                    \
        for (int64_t b0 = 0; b0 < B; b0 += q->nimg) {                                           \
            const int64_t ncur = ct_min(q->nimg, B - b0);                                       \
            for (int64_t gi = 0; gi < G; gi++) {                                                \
                const T *xp = qq.direct ? src + b0 * src_is + gi * src_gs : xp0;                \
                if (!qq.direct) {                                                               \
                    _Pragma("omp for schedule(dynamic, 4)")                                       \
                    for (int64_t t = 0; t < ncur * Cin; t++) {                                  \
                        int64_t i = t / Cin, c = t - i * Cin;                                   \
                        PAD(q, src + (b0 + i) * src_is + gi * src_gs + c * Xin, xp0, c, i, ncur); \
                    }                                                                           \
                }                                                                               \
                /* a task is a band of rows: one row per task made threads write the same   \
                 * cache lines of small output planes (a 13-wide row is 52 bytes) */            \
                const int64_t nbd = ct_max(1, ct_min(rows, (4 * q->nth + ncur * q->Mt - 1) / (ncur * q->Mt))); \
                const int64_t band = (rows + nbd - 1) / nbd, nband = (rows + band - 1) / band;  \
                _Pragma("omp for schedule(dynamic, 1)")                                           \
                for (int64_t t = 0; t < ncur * nband * q->Mt; t++) {                            \
                    int64_t i = t / (nband * q->Mt), r = t - i * nband * q->Mt;                 \
                    int64_t bd = r / q->Mt, mt = r - bd * q->Mt;                                \
                    for (int64_t row = bd * band; row < ct_min(rows, (bd + 1) * band); row++)   \
                        TASK(q, wpack + gi * q->Mt * q->R * q->K, xp, off, mt, i, row / q->osz[1], \
                             row % q->osz[1], mybuf, bias ? bias + gi * q->Mout : NULL,         \
                             dst + b0 * dst_is + gi * dst_gs, dst_is, Xout);                    \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
}

/* Weight gradient, channel-vectorised, ngrp chunks of nimg images at a time: pad x's planes
 * and transpose gy ([position][channel], 0 past Mout) of every chunk of the group, then
 * (chunk, channel tile, (channel, tap) block) tasks each store their chunk's sum into the
 * chunk's partial gradient, then the partials are added to gw in chunk order. gw is summed
 * chunk by chunk in an order fixed by the shapes, whatever the thread count. */
#define CT_CHW_RUN(NAME, T, PAD, TASK)                                                           \
static void NAME(const ct_impl *q0, const T *x, int64_t x_is, int64_t x_gs, int64_t X,           \
                 const T *gy, int64_t gy_is, int64_t gy_gs, int64_t L, T *gw, int64_t B,         \
                 int64_t G, int64_t *off, T *xp0, T *gyt) {                                     \
    ct_impl qq = *q0;                                                                           \
    const ct_impl *q = &qq;                                                                     \
    if (qq.direct) { qq.cs = X; qq.is = x_is; }                                                 \
    const int64_t Cin = q->Cin, Mout = q->Mout, CP = q->CP, K = q->K, nimg = q->nimg;           \
    const int64_t Mp = q->Mt * q->R, nkt = (K + CT_CNK - 1) / CT_CNK, MK = Mout * K;            \
    const int64_t npad = qq.direct ? 0 : Cin, ntile = q->Mt * nkt;                              \
    T *part = gyt + q->ngrp * nimg * L * Mp;                                                    \
    ct_impl_offsets(q, off);                                                                    \
    memset(gw, 0, (size_t)(G * MK) * sizeof(T));                                                \
    _Pragma("omp parallel num_threads(q->nth)")                                                 \
    for (int64_t b0 = 0; b0 < B; b0 += q->ngrp * nimg) {                                        \
        const int64_t nb = ct_min(q->ngrp * nimg, B - b0), nch = (nb + nimg - 1) / nimg;        \
        for (int64_t gi = 0; gi < G; gi++) {                                                    \
            _Pragma("omp for schedule(dynamic, 4)")                                               \
            for (int64_t t = 0; t < nb * (npad + q->Mt); t++) {                                 \
                int64_t i = t / (npad + q->Mt), c = t - i * (npad + q->Mt);                     \
                if (c < npad) {                                                                 \
                    int64_t j = i / nimg, ii = i - j * nimg;                                    \
                    PAD(q, x + (b0 + i) * x_is + gi * x_gs + c * X, xp0 + j * Cin * CP, c, ii,  \
                        ct_min(nimg, nb - j * nimg));                                           \
                    continue;                                                                   \
                }                                                                               \
                int64_t m0 = (c - npad) * q->R, m1 = ct_min(m0 + q->R, Mout);                   \
                const T *s = gy + (b0 + i) * gy_is + gi * gy_gs;                                \
                T *d = gyt + i * L * Mp;                                                        \
                for (int64_t l = 0; l < L; l++) {                                               \
                    T *dl = d + l * Mp;                                                         \
                    int64_t m = m0;                                                             \
                    for (; m < m1; m++) dl[m] = s[m * L + l];                                   \
                    for (; m < m0 + q->R; m++) dl[m] = 0;                                       \
                }                                                                               \
            }                                                                                   \
            _Pragma("omp for schedule(dynamic, 1)")                                               \
            for (int64_t t = 0; t < nch * ntile; t++) {                                         \
                int64_t j = t / ntile, r = t - j * ntile, mt = r / nkt, kt = r - mt * nkt;      \
                const T *xp = qq.direct ? x + (b0 + j * nimg) * x_is + gi * x_gs                \
                                        : xp0 + j * Cin * CP;                                   \
                TASK(q, gyt + j * nimg * L * Mp, xp, off, mt, kt, ct_min(nimg, nb - j * nimg),  \
                     part + j * MK);                                                            \
            }                                                                                   \
            _Pragma("omp for schedule(static)")                                                   \
            for (int64_t i0 = 0; i0 < MK; i0 += 256) {                                          \
                T *d = gw + gi * MK;                                                            \
                for (int64_t j = 0; j < nch; j++)                                               \
                    for (int64_t i = i0; i < ct_min(i0 + 256, MK); i++) d[i] += part[j * MK + i]; \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
}

CT_CH_RUN(ct_ch_run_f32, float, ct_pad_plane_f32, ct_ch_task_f32)
CT_CH_RUN(ct_ch_run_f64, double, ct_pad_plane_f64, ct_ch_task_f64)
CT_CHW_RUN(ct_chw_run_f32, float, ct_pad_plane_f32, ct_chw_task_f32)
CT_CHW_RUN(ct_chw_run_f64, double, ct_pad_plane_f64, ct_chw_task_f64)

/* The stride-1 drivers pick the register block their plan chose. */
#define CT_IMPL_PICK(NAME, T, POS, CH)                                                           \
static void NAME(const ct_impl *q, const T *src, int64_t src_is, int64_t src_gs, int64_t Xin,    \
                 const T *wpack, const T *bias, T *dst, int64_t dst_is, int64_t dst_gs,          \
                 int64_t Xout, int64_t B, int64_t G, int64_t *off, T *xp, T *buf) {              \
    (q->mode == CT_CH_FWD ? CH : POS)(q, src, src_is, src_gs, Xin, wpack, bias, dst, dst_is,    \
                                      dst_gs, Xout, B, G, off, xp, buf);                        \
}
#define CT_WGRAD_PICK(NAME, T, POS, CH)                                                          \
static void NAME(const ct_impl *q, const T *x, int64_t x_is, int64_t x_gs, int64_t X,            \
                 const T *gy, int64_t gy_is, int64_t gy_gs, int64_t L, T *gw, int64_t B,         \
                 int64_t G, int64_t *off, T *xp, T *buf) {                                      \
    (q->mode == CT_CH_WGRAD ? CH : POS)(q, x, x_is, x_gs, X, gy, gy_is, gy_gs, L, gw, B, G, off, \
                                        xp, buf);                                               \
}

CT_IMPL_PICK(ct_impl_run_f32, float, ct_pos_run_f32, ct_ch_run_f32)
CT_IMPL_PICK(ct_impl_run_f64, double, ct_pos_run_f64, ct_ch_run_f64)
CT_WGRAD_PICK(ct_wgrad_run_f32, float, ct_dot_run_f32, ct_chw_run_f32)
CT_WGRAD_PICK(ct_wgrad_run_f64, double, ct_dot_run_f64, ct_chw_run_f64)

/* Weight panels for the forward gemm: wp[g, t, k, i] = w[g*Mg + t*R + i, k] (0 past Mg). */
#define CT_PACK_FWD(NAME, T)                                                                     \
static void NAME(const T *w, T *wp, int64_t G, int64_t Mg, int64_t K, int64_t Mt, int64_t R) {  \
    for (int64_t gi = 0; gi < G; gi++)                                                          \
        for (int64_t t = 0; t < Mt; t++)                                                        \
            for (int64_t kk = 0; kk < K; kk++)                                                  \
                for (int64_t i = 0; i < R; i++) {                                               \
                    int64_t m = t * R + i;                                                      \
                    wp[((gi * Mt + t) * K + kk) * R + i] = m < Mg ? w[(gi * Mg + m) * K + kk] : 0; \
                }                                                                               \
}

/* ... and for the input gradient, a conv from the Mg channels of gy to the Cg of gx with the
 * kernel flipped: wp[g, t, (m, r), i] = w[g*Mg + m, t*R + i, KK-1-r]. */
#define CT_PACK_BWD(NAME, T)                                                                     \
static void NAME(const T *w, T *wp, int64_t G, int64_t Mg, int64_t Cg, int64_t KK, int64_t Mt,  \
                 int64_t R) {                                                                   \
    const int64_t K = Mg * KK;                                                                  \
    for (int64_t gi = 0; gi < G; gi++)                                                          \
        for (int64_t t = 0; t < Mt; t++)                                                        \
            for (int64_t kk = 0; kk < K; kk++)                                                  \
                for (int64_t i = 0; i < R; i++) {                                               \
                    int64_t c = t * R + i, m = kk / KK, r = kk - m * KK;                        \
                    wp[((gi * Mt + t) * K + kk) * R + i] =                                      \
                        c < Cg ? w[((gi * Mg + m) * Cg + c) * KK + (KK - 1 - r)] : 0;           \
                }                                                                               \
}

CT_PACK_FWD(ct_pack_fwd_f32, float)
CT_PACK_FWD(ct_pack_fwd_f64, double)
CT_PACK_BWD(ct_pack_bwd_f32, float)
CT_PACK_BWD(ct_pack_bwd_f64, double)

/* The three implicit plans of a stride-1 conv. */
static void ct_plan_fwd(ct_impl *q, const ct_conv_geom *g, int64_t B, int64_t G, int64_t M, int64_t isize) {
    ct_impl_plan(q, g->C, M / G, g->isize, g->osize, g->k, g->dil, g->pad, B, G, isize, 0);
}

static void ct_plan_bwd_input(ct_impl *q, const ct_conv_geom *g, int64_t B, int64_t G, int64_t M, int64_t isize) {
    int64_t lead[3];
    for (int d = 0; d < 3; d++) lead[d] = (g->k[d] - 1) * g->dil[d] - g->pad[d];
    ct_impl_plan(q, M / G, g->C, g->osize, g->isize, g->k, g->dil, lead, B, G, isize, 0);
}

static void ct_plan_bwd_weight(ct_impl *q, const ct_conv_geom *g, int64_t B, int64_t G, int64_t M,
                               int64_t isize) {
    ct_impl_plan(q, g->C, M / G, g->isize, g->osize, g->k, g->dil, g->pad, B, G, isize, 1);
}


/* ---------------------------------------------------------------- strided convolutions
 * conv(x, w) with any stride = a 1x1 conv of im2col(x) (channels (c, tap), positions L) with
 * the same weights read as (M, Cg*KK, 1): im2col a chunk of images, then the stride-1 code. */

typedef struct {
    ct_conv_geom inner;     /* the 1x1 conv over im2col blocks: Kg channels, L positions */
    ct_conv_geom unfold;    /* im2col of all G*Cg input channels */
    int64_t nimg;           /* images per chunk */
    int64_t cols_at;        /* bytes into the workspace where the im2col block starts */
} ct_cols_plan;

/* which: the driver (0 forward, 1 input gradient, 2 weight gradient), as in ct_conv_workspace */
static void ct_cols_make_plan(const ct_conv_plan *p, const ct_conv_geom *g, int64_t B, int64_t G, int64_t M,
                              int64_t isize, int which, ct_cols_plan *s) {
    ct_conv_geom *c = &s->inner;
    c->C = p->Kg;
    for (int d = 0; d < 3; d++) {
        c->isize[d] = c->osize[d] = d == 2 ? p->L : 1;
        c->k[d] = c->stride[d] = c->dil[d] = 1;
        c->pad[d] = 0;
    }
    s->unfold = *g;
    s->unfold.C = G * p->Cg;
    s->nimg = ct_max(1, ct_min(B, CT_COLS_BYTES / ct_max(G * p->Kg * p->L * isize, 1)));
    s->cols_at = ct_up(ct_conv_workspace(c, s->nimg, G, M, isize, which), 64);
}

/* Workspace of a stride-1 plan, or of a strided conv: the inner 1x1 conv's, then the im2col
 * block of a chunk, then (weight gradient) a chunk's partial gradient. */
int64_t ct_conv_workspace(const ct_conv_geom *g, int64_t B, int64_t G, int64_t M, int64_t itemsize, int which) {
    ct_conv_plan p;
    ct_conv_make_plan(g, G, M, &p);
    if (p.depthwise || B == 0 || M == 0 || p.Kg == 0 || p.L == 0) return 0;
    if (!ct_is_stride1(g)) {
        ct_cols_plan s;
        ct_cols_make_plan(&p, g, B, G, M, itemsize, which, &s);
        return s.cols_at + (s.nimg * G * p.Kg * p.L + (which == 2 ? M * p.Kg : 0)) * itemsize;
    }
    ct_impl q;
    if (which == 0) ct_plan_fwd(&q, g, B, G, M, itemsize);
    else if (which == 1) ct_plan_bwd_input(&q, g, B, G, M, itemsize);
    else ct_plan_bwd_weight(&q, g, B, G, M, itemsize);
    return ct_impl_bytes(&q, itemsize);
}

/* ---------------------------------------------------------------- the three drivers */

#define CT_CONV_FWD(NAME, T, IM2COL, DW, PACK, RUN)                                              \
int NAME(const T *x, const T *w, const T *bias, T *y, int64_t B, int64_t G, int64_t M,           \
         const ct_conv_geom *g, void *ws) {                                                     \
    ct_conv_plan p;                                                                             \
    ct_conv_make_plan(g, G, M, &p);                                                             \
    const int64_t L = p.L, X = p.X, Kg = p.Kg, Mg = p.Mg, C = G * p.Cg;                         \
    if (B == 0 || M == 0 || L == 0) return CT_OK;                                               \
    if (Kg == 0) {                                                                              \
        for (int64_t q = 0; q < B * M; q++)                                                     \
            for (int64_t l = 0; l < L; l++) y[q * L + l] = bias ? bias[q % M] : 0;              \
        return CT_OK;                                                                           \
    }                                                                                           \
    if (p.depthwise) { DW(x, w, bias, y, B, G, M, g); return CT_OK; }                          \
    if (!ct_is_stride1(g)) {                                                                    \
        ct_cols_plan s;                                                                         \
        ct_cols_make_plan(&p, g, B, G, M, sizeof(T), 0, &s);                                    \
        T *cols = (T *)((char *)ws + s.cols_at);                                                \
        for (int64_t b0 = 0; b0 < B; b0 += s.nimg) {                                            \
            const int64_t n = ct_min(s.nimg, B - b0);                                           \
            IM2COL(x + b0 * C * X, C * X, n, &s.unfold, C * p.KK, 0, L, cols, L, C * p.KK * L); \
            NAME(cols, w, bias, y + b0 * M * L, n, G, M, &s.inner, ws);                         \
        }                                                                                       \
        return CT_OK;                                                                           \
    }                                                                                           \
    ct_impl q;                                                                                  \
    ct_plan_fwd(&q, g, B, G, M, sizeof(T));                                                     \
    int64_t *off = (int64_t *)ws;                                                               \
    T *wpk = (T *)(off + q.off_n), *xp = wpk + q.w_n, *buf = xp + q.xp_n;                       \
    PACK(w, wpk, G, Mg, Kg, q.Mt, q.R);                                                         \
    RUN(&q, x, C * X, p.Cg * X, X, wpk, bias, y, M * L, Mg * L, L, B, G, off, xp, buf);         \
    return CT_OK;                                                                               \
}

#define CT_CONV_BWD_INPUT(NAME, T, COL2IM, DW, PACK, RUN)                                        \
int NAME(const T *gy, const T *w, T *gx, int64_t B, int64_t G, int64_t M,                        \
         const ct_conv_geom *g, void *ws) {                                                     \
    ct_conv_plan p;                                                                             \
    ct_conv_make_plan(g, G, M, &p);                                                             \
    const int64_t L = p.L, X = p.X, Mg = p.Mg, C = G * p.Cg;                                   \
    if (B == 0 || C == 0) return CT_OK;                                                         \
    if (M == 0 || L == 0) { memset(gx, 0, (size_t)(B * C * X) * sizeof(T)); return CT_OK; }    \
    if (p.depthwise) { DW(gy, w, gx, B, G, M, g); return CT_OK; }                              \
    if (!ct_is_stride1(g)) {                                                                    \
        ct_cols_plan s;                                                                         \
        ct_cols_make_plan(&p, g, B, G, M, sizeof(T), 1, &s);                                    \
        T *cols = (T *)((char *)ws + s.cols_at);                                                \
        memset(gx, 0, (size_t)(B * C * X) * sizeof(T));                                         \
        for (int64_t b0 = 0; b0 < B; b0 += s.nimg) {                                            \
            const int64_t n = ct_min(s.nimg, B - b0);                                           \
            NAME(gy + b0 * M * L, w, cols, n, G, M, &s.inner, ws);                              \
            COL2IM(cols, L, C * p.KK * L, n, &s.unfold, 0, L, gx + b0 * C * X, C * X);          \
        }                                                                                       \
        return CT_OK;                                                                           \
    }                                                                                           \
    ct_impl q;                                                                                  \
    ct_plan_bwd_input(&q, g, B, G, M, sizeof(T));                                               \
    int64_t *off = (int64_t *)ws;                                                               \
    T *wpk = (T *)(off + q.off_n), *xp = wpk + q.w_n, *buf = xp + q.xp_n;                       \
    PACK(w, wpk, G, Mg, p.Cg, p.KK, q.Mt, q.R);                                                 \
    RUN(&q, gy, M * L, Mg * L, L, wpk, NULL, gx, C * X, p.Cg * X, X, B, G, off, xp, buf);       \
    return CT_OK;                                                                               \
}

#define CT_CONV_BWD_WEIGHT(NAME, T, IM2COL, DW, RUN)                                             \
int NAME(const T *x, const T *gy, T *gw, int64_t B, int64_t G, int64_t M,                        \
         const ct_conv_geom *g, void *ws) {                                                     \
    ct_conv_plan p;                                                                             \
    ct_conv_make_plan(g, G, M, &p);                                                             \
    const int64_t L = p.L, X = p.X, Kg = p.Kg, Mg = p.Mg, C = G * p.Cg;                         \
    if (M == 0 || Kg == 0) return CT_OK;                                                        \
    if (B == 0 || L == 0) { memset(gw, 0, (size_t)(M * Kg) * sizeof(T)); return CT_OK; }        \
    if (p.depthwise) { DW(x, gy, gw, B, G, M, g); return CT_OK; }                              \
    if (!ct_is_stride1(g)) {                                                                    \
        ct_cols_plan s;                                                                         \
        ct_cols_make_plan(&p, g, B, G, M, sizeof(T), 2, &s);                                    \
        T *cols = (T *)((char *)ws + s.cols_at);                                                \
        T *part = cols + s.nimg * C * p.KK * L;                                                 \
        for (int64_t b0 = 0; b0 < B; b0 += s.nimg) {                                            \
            const int64_t n = ct_min(s.nimg, B - b0);                                           \
            IM2COL(x + b0 * C * X, C * X, n, &s.unfold, C * p.KK, 0, L, cols, L, C * p.KK * L); \
            NAME(cols, gy + b0 * M * L, b0 ? part : gw, n, G, M, &s.inner, ws);                 \
            if (b0)                                                                             \
                for (int64_t i = 0; i < M * Kg; i++) gw[i] += part[i];                          \
        }                                                                                       \
        return CT_OK;                                                                           \
    }                                                                                           \
    ct_impl q;                                                                                  \
    ct_plan_bwd_weight(&q, g, B, G, M, sizeof(T));                                              \
    int64_t *off = (int64_t *)ws;                                                               \
    T *xp = (T *)(off + q.off_n), *gyp = xp + q.xp_n;                                           \
    RUN(&q, x, C * X, p.Cg * X, X, gy, M * L, Mg * L, L, gw, B, G, off, xp, gyp);               \
    (void)Mg;                                                                                   \
    return CT_OK;                                                                               \
}

CT_CONV_FWD(ct_conv_fwd_f32, float, ct_im2col_par_f32, ct_dw_fwd_f32, ct_pack_fwd_f32, ct_impl_run_f32)
CT_CONV_FWD(ct_conv_fwd_f64, double, ct_im2col_par_f64, ct_dw_fwd_f64, ct_pack_fwd_f64, ct_impl_run_f64)
CT_CONV_BWD_INPUT(ct_conv_bwd_input_f32, float, ct_col2im_par_f32, ct_dw_bwd_input_f32, ct_pack_bwd_f32,
                  ct_impl_run_f32)
CT_CONV_BWD_INPUT(ct_conv_bwd_input_f64, double, ct_col2im_par_f64, ct_dw_bwd_input_f64, ct_pack_bwd_f64,
                  ct_impl_run_f64)
CT_CONV_BWD_WEIGHT(ct_conv_bwd_weight_f32, float, ct_im2col_par_f32, ct_dw_bwd_weight_f32, ct_wgrad_run_f32)
CT_CONV_BWD_WEIGHT(ct_conv_bwd_weight_f64, double, ct_im2col_par_f64, ct_dw_bwd_weight_f64, ct_wgrad_run_f64)

/* ---------------------------------------------------------------- unfold / fold */

#define CT_UNFOLD(NAME, T, PAR)                                                                  \
int NAME(const T *x, T *cols, int64_t B, const ct_conv_geom *g) {                                \
    ct_conv_plan p;                                                                             \
    ct_conv_make_plan(g, 1, 0, &p);                                                             \
    if (B > 0 && p.Kg > 0 && p.L > 0) PAR(x, g->C * p.X, B, g, p.Kg, 0, p.L, cols, p.L, p.Kg * p.L); \
    return CT_OK;                                                                               \
}

#define CT_FOLD(NAME, T, PAR)                                                                    \
int NAME(const T *cols, T *x, int64_t B, const ct_conv_geom *g) {                                \
    ct_conv_plan p;                                                                             \
    ct_conv_make_plan(g, 1, 0, &p);                                                             \
    memset(x, 0, (size_t)(B * g->C * p.X) * sizeof(T));                                         \
    if (B > 0 && p.Kg > 0 && p.L > 0) PAR(cols, p.L, p.Kg * p.L, B, g, 0, p.L, x, g->C * p.X);   \
    return CT_OK;                                                                               \
}

CT_UNFOLD(ct_im2col_f32, float, ct_im2col_par_f32)
CT_UNFOLD(ct_im2col_f64, double, ct_im2col_par_f64)
CT_FOLD(ct_col2im_f32, float, ct_col2im_par_f32)
CT_FOLD(ct_col2im_f64, double, ct_col2im_par_f64)
