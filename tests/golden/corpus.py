"""The golden corpus: derivatives with their textbook answers.

Each :class:`Entry` is one known result from the source notes (``/work/shared/notes``) or
the Matrix Cookbook (Petersen & Pedersen, version of November 15, 2012; "MC (n)" is its
equation n), written in the input language so that the textbook answer parses with the
entry's declarations: ``symmat.parse(entry.answer, entry.where)``.

Conventions, so that nothing fits by accident:

- dimensions are ``m, n, p, q`` (sizes 3, 4, 5, 6 in the tests); a matrix is square only
  where the construct needs it (``det``, ``inv``, ``tr`` of a product, quadratic forms);
- the layout is the one the source uses: the Matrix Cookbook and the NUS slides (note 004)
  use the denominator layout (a scalar-by-matrix derivative has the shape of the matrix),
  notes 000 and 003 the numerator layout (a gradient is a row vector); several entries
  are given in both;
- an abstract scalar function ``g`` stands for a loss whose gradient the notes write
  ``∂L/∂z`` (printed ``∇g(z)`` here); batch results that the notes state through
  ``∇_Z L`` use the concrete loss ``L = sum(tanh(Z))``, whose ``∇_Z L`` is
  ``1 - tanh(Z) .^ 2``, because an abstract function of a matrix has no gradient in the
  language.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """∂ ``expr`` / ∂ ``wrt`` in ``layout`` is ``answer`` (per ``source``)."""

    id: str
    expr: str
    wrt: str
    layout: str
    answer: str
    source: str
    where: str = ""
    order: int = 1


def _e(id, expr, wrt, layout, answer, source, where="", order=1) -> Entry:
    return Entry(id, expr, wrt, layout, answer, source, where, order)


NUM, DEN = "numerator", "denominator"

CORPUS: tuple[Entry, ...] = (
    # ---------------------------------------------------------------- linear forms
    _e("aTx", "a^T x", "x", DEN, "a", "MC (69)", "a: n; x: n"),
    _e("aTx-num", "a^T x", "x", NUM, "a^T", "MC (69), numerator layout (note 003 §6)", "a: n; x: n"),
    _e("xTa", "x^T a", "x", DEN, "a", "MC (69)", "a: n; x: n"),
    _e("aTXb", "a^T X b", "X", DEN, "a b^T", "MC (70)", "X: m x n; a: m; b: n"),
    _e("aTXb-num", "a^T X b", "X", NUM, "b a^T", "MC (70), numerator layout (note 000 eq. 3)",
       "X: m x n; a: m; b: n"),
    _e("aTXTb", "a^T X^T b", "X", DEN, "b a^T", "MC (71)", "X: m x n; a: n; b: m"),
    _e("aTXa", "a^T X a", "X", DEN, "a a^T", "MC (72)", "X: n x n; a: n"),
    _e("Wx", "W x", "x", NUM, "W", "note 002 eq. (1), note 004", "W: m x n; x: n"),
    _e("Wx-den", "W x", "x", DEN, "W^T", "note 004 (z = W x, denominator)", "W: m x n; x: n"),
    _e("xTW-den", "x^T W", "x", DEN, "W", "note 004 (z = x^T W, denominator)", "W: m x n; x: m"),
    _e("VWx", "V W x", "x", NUM, "V W", "note 002 §5 (chain rule)", "V: p x m; W: m x n; x: n"),
    _e("Wx+b-b", "W x + b", "b", NUM, "I", "note 000 eq. (17)-(18), note 001 (2a)",
       "W: m x n; x: n; b: m"),
    _e("wTx+b", "w^T x + c", "w", NUM, "x^T", "note 003 §6", "w: n; x: n; c: scalar"),
    _e("sum-x", "sum(x)", "x", NUM, "ones^T", "note 003 §6 (∂y/∂u = 1^T)", "x: n"),
    _e("hadamard", "w .* x", "w", NUM, "diag(x)", "note 003 §6 (∂(w ⊗ x)/∂w = diag(x))", "w: n; x: n"),
    # ---------------------------------------------------------------- quadratic forms
    _e("xTAx", "x^T A x", "x", DEN, "(A + A^T) x", "MC (81)", "A: n x n; x: n"),
    _e("xTAx-num", "x^T A x", "x", NUM, "x^T (A + A^T)", "MC (81), numerator layout", "A: n x n; x: n"),
    _e("xTSx", "x^T S x", "x", DEN, "2 S x", "MC (81), B symmetric", "S: n x n symmetric; x: n"),
    _e("xTAx-hess", "x^T A x", "x", DEN, "A + A^T", "MC (81), differentiated again", "A: n x n; x: n", 2),
    _e("bTXTXc", "b^T X^T X c", "X", DEN, "X (b c^T + c b^T)", "MC (77)", "X: m x n; b: n; c: n"),
    _e("affine-quad", "(B x + b)^T C (D x + d)", "x", DEN, "B^T C (D x + d) + D^T C^T (B x + b)", "MC (78)",
       "B: m x n; C: m x p; D: p x n; x: n; b: m; d: p"),
    _e("bTXTDXc", "b^T X^T D X c", "X", DEN, "D^T X b c^T + D X c b^T", "MC (82)",
       "X: m x n; D: m x m; b: n; c: n"),
    _e("Xb+c-quad", "(X b + c)^T D (X b + c)", "X", DEN, "(D + D^T) (X b + c) b^T", "MC (83)",
       "X: m x n; D: m x m; b: n; c: m"),
    _e("wls-s", "(x - A s)^T S (x - A s)", "s", DEN, "-2 A^T S (x - A s)", "MC (84)",
       "x: m; A: m x n; s: n; S: m x m symmetric"),
    _e("wls-x", "(x - s)^T S (x - s)", "x", DEN, "2 S (x - s)", "MC (85)", "x: n; s: n; S: n x n symmetric"),
    _e("wls-s2", "(x - s)^T S (x - s)", "s", DEN, "-2 S (x - s)", "MC (86)", "x: n; s: n; S: n x n symmetric"),
    _e("wls-A", "(x - A s)^T S (x - A s)", "A", DEN, "-2 S (x - A s) s^T", "MC (88)",
       "x: m; A: m x n; s: n; S: m x m symmetric"),
    _e("lstsq", "norm(A x - b)^2", "x", DEN, "2 A^T (A x - b)", "MC (84), W = I", "A: m x n; x: n; b: m"),
    _e("lstsq-num", "norm(A x - b)^2", "x", NUM, "2 (A x - b)^T A", "MC (84), W = I, numerator layout",
       "A: m x n; x: n; b: m"),
    _e("norm2", "norm(x)^2", "x", DEN, "2 x", "MC (131)", "x: n"),
    _e("fro2", "norm(X)^2", "X", DEN, "2 X", "MC (132)", "X: m x n"),
    _e("norm", "norm(x - a)", "x", DEN, "(x - a) / norm(x - a)", "MC (129)", "x: n; a: n"),
    # ---------------------------------------------------------------- traces
    _e("trX", "tr(X)", "X", DEN, "I", "MC (99)", "X: n x n"),
    _e("trAX", "tr(A X)", "X", DEN, "A^T", "MC (100)", "A: n x m; X: m x n"),
    _e("trAXB", "tr(A X B)", "X", DEN, "A^T B^T", "MC (101)", "A: p x m; X: m x n; B: n x p"),
    _e("trAXTB", "tr(A X^T B)", "X", DEN, "B A", "MC (102)", "A: p x n; X: m x n; B: m x p"),
    _e("trXTA", "tr(X^T A)", "X", DEN, "A", "MC (103)", "X: m x n; A: m x n"),
    _e("trAXT", "tr(A X^T)", "X", DEN, "A", "MC (104)", "X: m x n; A: m x n"),
    _e("trXX", "tr(X^2)", "X", DEN, "2 X^T", "MC (106)", "X: n x n"),
    _e("trXTBX", "tr(X^T B X)", "X", DEN, "B X + B^T X", "MC (108)", "X: m x n; B: m x m"),
    _e("trBXXT", "tr(B X X^T)", "X", DEN, "B X + B^T X", "MC (109)", "X: m x n; B: m x m"),
    _e("trXBXT", "tr(X B X^T)", "X", DEN, "X B^T + X B", "MC (111)", "X: m x n; B: n x n"),
    _e("trXTXB", "tr(X^T X B)", "X", DEN, "X B^T + X B", "MC (113)", "X: m x n; B: n x n"),
    _e("trAXBX", "tr(A X B X)", "X", DEN, "A^T X^T B^T + B^T X^T A^T", "MC (114)",
       "A: n x m; X: m x n; B: n x m"),
    _e("trXTX", "tr(X^T X)", "X", DEN, "2 X", "MC (115)", "X: m x n"),
    _e("trBTXTCXB", "tr(B^T X^T C X B)", "X", DEN, "C^T X B B^T + C X B B^T", "MC (116)",
       "X: m x n; C: m x m; B: n x p"),
    _e("trXTBXC", "tr(X^T B X C)", "X", DEN, "B X C + B^T X C^T", "MC (117)",
       "X: m x n; B: m x m; C: n x n"),
    _e("trAXBXTC", "tr(A X B X^T C)", "X", DEN, "A^T C^T X B^T + C A X B", "MC (118)",
       "A: p x m; X: m x n; B: n x n; C: m x p"),
    _e("trAXBC2", "tr((A X B + C) (A X B + C)^T)", "X", DEN, "2 A^T (A X B + C) B^T", "MC (119)",
       "A: p x m; X: m x n; B: n x q; C: p x q"),
    _e("trX3", "tr(X^3)", "X", DEN, "3 (X^2)^T", "MC (121), k = 3", "X: n x n"),
    _e("trAXinvB", "tr(A X^-1 B)", "X", DEN, "-(X^-1 B A X^-1)^T", "MC (63), (124)",
       "A: p x n; X: n x n; B: n x p"),
    # ---------------------------------------------------------------- determinants, inverses
    _e("det", "det(X)", "X", DEN, "det(X) inv(X)^T", "MC (49)", "X: n x n"),
    _e("det-num", "det(X)", "X", NUM, "det(X) inv(X)", "MC (49), numerator layout", "X: n x n"),
    _e("detAXB", "det(A X B)", "X", DEN, "det(A X B) inv(X)^T", "MC (51)", "A: n x n; X: n x n; B: n x n"),
    _e("logdet", "logdet(X)", "X", DEN, "inv(X)^T", "MC (57)", "X: n x n"),
    _e("logdet-num", "logdet(X)", "X", NUM, "inv(X)", "MC (57), numerator layout", "X: n x n"),
    _e("aTXinvb", "a^T inv(X) b", "X", DEN, "-inv(X)^T a b^T inv(X)^T", "MC (61)", "X: n x n; a: n; b: n"),
    # ---------------------------------------------------------------- elementwise, exp, log
    _e("sum-exp", "sum(exp(x))", "x", DEN, "exp(x)", "note 004 (elementwise g), summed", "x: n"),
    _e("exp-aTx", "exp(a^T x)", "x", DEN, "exp(a^T x) a", "note 003 §5 (chain rule)", "a: n; x: n"),
    _e("elementwise", "s(x)", "x", NUM, "diag(s'(x))", "note 004 (∂g(x)/∂x = diag(g'(x)))",
       "x: n; s: elementwise"),
    _e("sigmoid", "sigmoid(x)", "x", NUM, "diag(sigmoid(x) .* (1 - sigmoid(x)))", "note 004, g = sigmoid", "x: n"),
    _e("tanh-layer", "tanh(W x + b)", "x", NUM, "diag(1 - tanh(W x + b) .^ 2) W", "note 004 + note 002 §5",
       "W: m x n; x: n; b: m"),
    _e("tanh-layer-den", "tanh(W x + b)", "x", DEN, "W^T diag(1 - tanh(W x + b) .^ 2)",
       "note 004 (denominator chain rule)", "W: m x n; x: n; b: m"),
    _e("softmax", "softmax(z)", "z", NUM, "diag(softmax(z)) - softmax(z) softmax(z)^T",
       "softmax Jacobian (note 003 §2 Jacobian)", "z: n"),
    _e("logsumexp", "logsumexp(z)", "z", DEN, "softmax(z)", "logsumexp gradient (note 004 layout)", "z: n"),
    _e("logsumexp-hess", "logsumexp(z)", "z", DEN, "diag(softmax(z)) - softmax(z) softmax(z)^T",
       "logsumexp Hessian", "z: n", 2),
    _e("relu-neuron", "relu(w^T x + c)", "w", NUM, "relu'(w^T x + c) x^T", "note 003 §6 (neuron activation)",
       "w: n; x: n; c: scalar"),
    # ---------------------------------------------------------------- neural-network layers
    _e("gWTa", "g(W^T a)", "W", DEN, "a ∇g(W^T a)^T", "note 004 (headline)", "W: m x n; a: m"),
    _e("gWTa-num", "g(W^T a)", "W", NUM, "∇g(W^T a) a^T", "note 004, numerator layout", "W: m x n; a: m"),
    _e("layer-W", "g(W x + b)", "W", DEN, "∇g(W x + b) x^T", "note 000 eq. (16)", "W: p x n; x: n; b: p"),
    _e("layer-W-num", "g(W x + b)", "W", NUM, "x ∇g(W x + b)^T", "note 000 eq. (15)", "W: p x n; x: n; b: p"),
    _e("layer-x", "g(W x + b)", "x", DEN, "W^T ∇g(W x + b)", "note 000 eq. (24)", "W: p x n; x: n; b: p"),
    _e("layer-x-num", "g(W x + b)", "x", NUM, "∇g(W x + b)^T W", "note 000 eq. (23)", "W: p x n; x: n; b: p"),
    _e("layer-b", "g(W x + b)", "b", DEN, "∇g(W x + b)", "note 000 eq. (19)", "W: p x n; x: n; b: p"),
    _e("batch-W", "sum(tanh(W X + b ones^T))", "W", DEN, "(1 - tanh(W X + b ones^T) .^ 2) X^T",
       "note 000 eq. (29), L = sum(tanh(Z))", "W: p x n; X: n x m; b: p"),
    _e("batch-X", "sum(tanh(W X + b ones^T))", "X", DEN, "W^T (1 - tanh(W X + b ones^T) .^ 2)",
       "note 000 eq. (30), L = sum(tanh(Z))", "W: p x n; X: n x m; b: p"),
    _e("batch-b", "sum(tanh(W X + b ones^T))", "b", DEN, "(1 - tanh(W X + b ones^T) .^ 2) ones",
       "note 001 (2b), columns as samples", "W: p x n; X: n x m; b: p"),
    _e("rows-W", "sum(tanh(X W + ones b^T))", "W", DEN, "X^T (1 - tanh(X W + ones b^T) .^ 2)",
       "note 001 (1e), rows as samples; note 002 §4", "X: m x n; W: n x p; b: p"),
    _e("rows-b", "sum(tanh(X W + ones b^T))", "b", DEN, "(1 - tanh(X W + ones b^T) .^ 2)^T ones",
       "note 001 (2b), rows as samples", "X: m x n; W: n x p; b: p"),
    _e("xent-x", "logsumexp(W x) - y^T W x", "x", DEN, "W^T (softmax(W x) - y)",
       "softmax cross-entropy (note 004 chain rule)", "W: m x n; x: n; y: m"),
    _e("xent-W", "logsumexp(W x) - y^T W x", "W", DEN, "(softmax(W x) - y) x^T",
       "softmax cross-entropy (note 004 headline form)", "W: m x n; x: n; y: m"),
    # ---------------------------------------------------------------- logistic regression
    _e("logistic-grad", "sum(softplus(X w)) - y^T X w", "w", DEN, "X^T (sigmoid(X w) - y)",
       "logistic loss gradient", "X: m x n; w: n; y: m"),
    _e("logistic-grad-num", "sum(softplus(X w)) - y^T X w", "w", NUM, "(sigmoid(X w) - y)^T X",
       "logistic loss gradient, numerator layout", "X: m x n; w: n; y: m"),
    _e("logistic-hess", "sum(softplus(X w)) - y^T X w", "w", DEN,
       "X^T diag(sigmoid(X w) .* (1 - sigmoid(X w))) X", "logistic loss Hessian", "X: m x n; w: n; y: m", 2),
    _e("logistic-xent", "-(y^T log(sigmoid(X w)) + (1 - y)^T log(1 - sigmoid(X w)))", "w", DEN,
       "X^T (sigmoid(X w) - y)", "binary cross-entropy gradient", "X: m x n; w: n; y: m"),
    # ---------------------------------------------------------------- compositions (harder to print short)
    _e("xTAx-A", "x^T A x", "A", DEN, "x x^T", "MC (72)", "A: n x n; x: n"),
    _e("aTXinvb-num", "a^T inv(X) b", "X", NUM, "-inv(X) b a^T inv(X)", "MC (61), numerator layout",
       "X: n x n; a: n; b: n"),
    _e("trXinv", "tr(inv(X))", "X", DEN, "-(X^-2)^T", "MC (124), A = B = I", "X: n x n"),
    _e("logdetS", "logdet(S)", "S", DEN, "inv(S)", "MC (57), S symmetric", "S: n x n symmetric"),
    _e("sum-expX", "sum(exp(X))", "X", DEN, "exp(X)", "note 004 (elementwise g), matrix argument", "X: m x n"),
    _e("sum-log", "sum(log(x))", "x", DEN, "1 ./ x", "note 004 (elementwise g = log), summed", "x: n"),
    _e("lse-explicit", "log(sum(exp(x)))", "x", DEN, "softmax(x)", "logsumexp gradient, written out", "x: n"),
    _e("sigmoid-neuron", "sigmoid(w^T x)", "w", DEN, "sigmoid(w^T x) (1 - sigmoid(w^T x)) x",
       "note 003 §6 with a sigmoid unit", "w: n; x: n"),
    _e("tanh-layer-b", "tanh(W x + b)", "b", NUM, "diag(1 - tanh(W x + b) .^ 2)", "note 004 + note 000 eq. (17)",
       "W: m x n; x: n; b: m"),
    _e("relu-layer", "relu(W x + b)", "x", NUM, "diag(relu'(W x + b)) W", "note 004 (g = relu) + note 000 eq. (22)",
       "W: m x n; x: n; b: m"),
    _e("layer-b-num", "g(W x + b)", "b", NUM, "∇g(W x + b)^T", "note 000 eq. (18)", "W: p x n; x: n; b: p"),
    _e("mlp-W", "g(V tanh(W x))", "W", DEN, "(V^T ∇g(V tanh(W x)) .* (1 - tanh(W x) .^ 2)) x^T",
       "note 000 eq. (16) through a tanh layer (backprop)", "V: p x m; W: m x n; x: n"),
    _e("mlp-x", "g(V tanh(W x))", "x", DEN, "W^T (V^T ∇g(V tanh(W x)) .* (1 - tanh(W x) .^ 2))",
       "note 000 eq. (24) through a tanh layer (backprop)", "V: p x m; W: m x n; x: n"),
    _e("half-sq-W", "0.5 * norm(W x - y)^2", "W", DEN, "(W x - y) x^T", "MC (88), S = I (least-squares layer)",
       "W: m x n; x: n; y: m"),
    _e("factorization", "norm(X - A B)^2", "B", DEN, "-2 A^T (X - A B)", "MC (119), B = I",
       "X: m x n; A: m x p; B: p x n"),
    _e("ridge", "norm(X w - y)^2 + c * norm(w)^2", "w", DEN, "2 X^T (X w - y) + 2 c w", "MC (84) + MC (131)",
       "X: m x n; w: n; y: m; c: scalar"),
    _e("ridge-hess", "norm(X w - y)^2 + c * norm(w)^2", "w", DEN, "2 (X^T X + c I)", "MC (84) + MC (131), again",
       "X: m x n; w: n; y: m; c: scalar", 2),
    _e("logistic-pm1", "sum(log(1 + exp(-y .* (X w))))", "w", DEN, "-X^T (y .* sigmoid(-y .* (X w)))",
       "logistic loss with labels in {-1, 1}", "X: m x n; w: n; y: m"),
    # ---------------------------------------------------------------- the other layout, more Hessians
    _e("trAXB-num", "tr(A X B)", "X", NUM, "B A", "MC (101), numerator layout", "A: p x m; X: m x n; B: n x p"),
    _e("trXTBX-num", "tr(X^T B X)", "X", NUM, "X^T (B + B^T)", "MC (108), numerator layout", "X: m x n; B: m x m"),
    _e("softmax-den", "softmax(z)", "z", DEN, "diag(softmax(z)) - softmax(z) softmax(z)^T",
       "softmax Jacobian, denominator layout (it is symmetric)", "z: n"),
    _e("sigmoid-layer-den", "sigmoid(W x)", "x", DEN, "W^T diag(sigmoid(W x) .* (1 - sigmoid(W x)))",
       "note 004 (denominator chain rule), g = sigmoid", "W: m x n; x: n"),
    _e("elementwise-layer-den", "s(W x)", "x", DEN, "W^T diag(s'(W x))", "note 004 (denominator chain rule)",
       "W: m x n; x: n; s: elementwise"),
    _e("layer-W-tanh-num", "sum(tanh(W x + b))", "W", NUM, "x (1 - tanh(W x + b) .^ 2)^T",
       "note 000 eq. (15), L = sum(tanh(z))", "W: m x n; x: n; b: m"),
    _e("batch-W-num", "sum(tanh(W X + b ones^T))", "W", NUM, "X (1 - tanh(W X + b ones^T) .^ 2)^T",
       "note 000 eq. (28), L = sum(tanh(Z))", "W: p x n; X: n x m; b: p"),
    _e("xent-W-num", "logsumexp(W x) - y^T W x", "W", NUM, "x (softmax(W x) - y)^T",
       "softmax cross-entropy, numerator layout", "W: m x n; x: n; y: m"),
    _e("xent-scaled", "c * logsumexp(W x)", "x", DEN, "c W^T softmax(W x)", "note 004 chain rule, scaled",
       "W: m x n; x: n; c: scalar"),
    _e("sum-expAx", "sum(exp(A x))", "x", DEN, "A^T exp(A x)", "note 004 chain rule", "A: m x n; x: n"),
    _e("sum-sqrt", "sum(sqrt(x))", "x", DEN, "0.5 ./ sqrt(x)", "note 004 (elementwise g = sqrt), summed", "x: n"),
    _e("logistic-hess-num", "sum(softplus(X w)) - y^T X w", "w", NUM,
       "X^T diag(sigmoid(X w) .* (1 - sigmoid(X w))) X", "logistic loss Hessian, numerator layout",
       "X: m x n; w: n; y: m", 2),
    _e("xTAx-hess-num", "x^T A x", "x", NUM, "A + A^T", "MC (81), differentiated again, numerator layout",
       "A: n x n; x: n", 2),
    _e("gAx-hess", "g(A x)", "x", DEN, "A^T ∇²g(A x) A", "chain rule for the Hessian of g(A x)", "A: m x n; x: n", 2),
    _e("aTXXTb", "a^T X X^T b", "X", DEN, "(a b^T + b a^T) X", "MC (77) applied to X^T", "X: m x n; a: m; b: m"),
    _e("det-inv", "det(inv(X))", "X", DEN, "-det(inv(X)) inv(X)^T", "MC (49) with the chain rule", "X: n x n"),
    _e("logdet-XTX", "logdet(X^T X)", "X", DEN, "2 X inv(X^T X)", "MC (55), X of full column rank",
       "X: p x n"),
    _e("tr-kron", "tr(kron(A, X))", "X", DEN, "tr(A) I", "MC (105)", "A: m x m; X: n x n"),
    _e("tr-kron-XX", "tr(kron(X, X))", "X", DEN, "2 tr(X) I", "MC (120)", "X: n x n"),
)


def by_id() -> dict[str, Entry]:
    """The corpus keyed by entry id (ids are unique)."""
    table = {entry.id: entry for entry in CORPUS}
    assert len(table) == len(CORPUS), "duplicate entry id"
    return table
