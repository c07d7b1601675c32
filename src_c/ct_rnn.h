/* ct_rnn.h - fused recurrent layers (Elman RNN tanh/relu, LSTM with optional projection, GRU),
 * one direction of one layer per call, forward and backward, float32/float64.
 *
 * PyTorch's gate layouts: LSTM rows of w_ih/w_hh are [i, f, g, o] blocks of H, GRU [r, z, n].
 *   RNN:  h = act(x W_ih^T + b_ih + h_prev W_hh^T + b_hh)
 *   LSTM: i, f, g, o = sig, sig, tanh, sig(x W_ih^T + b_ih + h_prev W_hh^T + b_hh);
 *         c = f c_prev + i g;  h = o tanh(c)  (with w_hr: h = (o tanh(c)) W_hr^T, P columns)
 *   GRU:  r, z = sig(x W_ir^T + b_ir + h_prev W_hr^T + b_hr), ...;
 *         n = tanh(x W_in^T + b_in + r (h_prev W_hn^T + b_hn));  h = (1 - z) n + z h_prev
 *
 * The whole sequence's input projection is one gemm; each step is one gemm for the hidden
 * state (ct_smallgemm) and the gate maths fused in one pass. The time loop runs inside one
 * OpenMP region: each thread owns a slice of the hidden units (their gate columns) and of
 * the output columns, with barriers between steps, so nothing is re-forked per step. Each
 * value is computed the same way whatever the thread count.
 *
 * Sequences: x has N = sum_t bs[t] rows laid out step after step (a PackedSequence's data,
 * or T*B rows of a padded time-major input when bs is NULL). Step t uses rows [0, bs[t]) of
 * the state; bs is non-increasing (sequences sorted by decreasing length), bs[0] <= B.
 */
#ifndef CT_RNN_H
#define CT_RNN_H
#include "ct_base.h"

enum { CT_RNN_TANH = 0, CT_RNN_RELU = 1, CT_RNN_LSTM = 2, CT_RNN_GRU = 3 };

typedef struct {
    int mode;             /* CT_RNN_* */
    int reverse;          /* run t = T-1 .. 0 (the backward direction of a bidirectional layer) */
    int64_t nsteps, B, In, H, P;  /* steps, batch, input size, hidden size, output size (P = H unless w_hr) */
    const int64_t *bs;    /* rows active at each step, or NULL (all B) */
} ct_rnn_args;

/* gates per hidden unit (1, 1, 4, 3) and the workspace the forward fills for the backward,
 * in elements: LSTM gate activations (N x 4H) and cells (N x H); GRU r, z, n (N x 3H) and
 * W_hn h + b_hn (N x H); RNN none. */
int ct_rnn_gates(int mode);
int64_t ct_rnn_ws_size(const ct_rnn_args *a);

/* y (N x P, row stride ldy) = the outputs, hn (B x P) / cn (B x H, LSTM) the last state of each
 * row; h0 (B x P), c0 (B x H) the initial state; b_ih, b_hh may be NULL, w_hr is NULL unless
 * LSTM with projections (w_hh is then G*H x P). */
int ct_rnn_fwd_f32(const ct_rnn_args *a, const float *x, const float *w_ih, const float *w_hh,
                   const float *b_ih, const float *b_hh, const float *w_hr, const float *h0,
                   const float *c0, float *y, int64_t ldy, float *hn, float *cn, float *ws);
int ct_rnn_fwd_f64(const ct_rnn_args *a, const double *x, const double *w_ih, const double *w_hh,
                   const double *b_ih, const double *b_hh, const double *w_hr, const double *h0,
                   const double *c0, double *y, int64_t ldy, double *hn, double *cn, double *ws);

/* Gradients for the forward's inputs given dy (N x P, row stride lddy) and dhn, dcn (NULL =
 * zero): dx (N x I) is written, or added to when dx_acc; dw_ih, dw_hh, dw_hr, db_ih, db_hh,
 * dh0, dc0 are written (dx, the bias and projection gradients may be NULL: not wanted). */
int ct_rnn_bwd_f32(const ct_rnn_args *a, const float *x, const float *w_ih, const float *w_hh,
                   const float *w_hr, const float *h0, const float *c0, const float *y, int64_t ldy,
                   const float *ws, const float *dy, int64_t lddy, const float *dhn, const float *dcn,
                   float *dx, int dx_acc, float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                   float *dw_hr, float *dh0, float *dc0);
int ct_rnn_bwd_f64(const ct_rnn_args *a, const double *x, const double *w_ih, const double *w_hh,
                   const double *w_hr, const double *h0, const double *c0, const double *y,
                   int64_t ldy, const double *ws, const double *dy, int64_t lddy, const double *dhn,
                   const double *dcn, double *dx, int dx_acc, double *dw_ih, double *dw_hh,
                   double *db_ih, double *db_hh, double *dw_hr, double *dh0, double *dc0);

#endif
