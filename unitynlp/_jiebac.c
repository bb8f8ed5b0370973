/*
 * unitynlp._jiebac -- jieba 0.42.1's accurate-mode segmentation in C
 * (jieba.Tokenizer.cut(sentence, cut_all=False, HMM=True/False)), the default backend of
 * unitynlp.segment when it is built (see the "jiebac" backend there; tests compare its tokens
 * with jieba's own on every document of the bundled corpus and on mixed runs).
 *
 * Written from jieba's Python source as the reference; the aim is identical
 * tokens, so every rule below mirrors a line of jieba/__init__.py or
 * jieba/finalseg/__init__.py (named in the comments).
 *
 * Results are returned without one Python str per token where the caller allows:
 *   Segmenter.ends(text, hmm=True) -> bytes      native int32 end offsets (code points)
 *   Segmenter.line(text, hmm=True) -> str        non-whitespace pieces joined by ' '
 *   Segmenter.pieces(text, hmm=True) -> list     every piece as a str
 *   Segmenter.counts(text, skip, hmm) -> dict    distinct pieces and how often, outside skip
 *
 * Segmenter(dictionary, added, start_P, trans_P, emit_P, name="<dictionary>") takes the
 * dictionary's bytes: this module never opens a file (unitynlp.segment reads jieba's dict.txt
 * through Python, so any path the interpreter can open works, Windows' non-ASCII ones too).
 *
 * The segmenter is immutable once built: __init__ runs once (a second call raises, so no state
 * another thread is reading can be freed), and the work on a text is done on a private UCS4
 * copy without the GIL, so several threads can segment at once. Only standard C and the
 * Python C API are used (no POSIX calls), so it builds with MSVC as well.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_FLOAT (-3.14e100)          /* finalseg.MIN_FLOAT */
#define HAN_LO 0x4E00                  /* finalseg.re_han = [\u4E00-\u9FD5] */
#define HAN_HI 0x9FD5
#define HAN_N (HAN_HI - HAN_LO + 1)
#define NO_NODE 0xFFFFFFFFu
#define GIL_FREE_MIN 256               /* release the GIL only for texts this long */

/* character classes of code points < 0x10000 (table); larger ones are in none */
#define C_BLOCK 1   /* re_han_default: [\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-] */
#define C_HAN   2   /* [\u4E00-\u9FD5] */
#define C_ALNUM 4   /* re_eng: [a-zA-Z0-9] */
#define C_DIGIT 8   /* [0-9] (\d, restricted to what can occur inside a block) */
static uint8_t cclass[0x10000];

static inline int cls(Py_UCS4 c, int bit) { return c < 0x10000 && (cclass[c] & bit); }

/* states, indexed in the order finalseg iterates them ('BMES') */
enum { SB = 0, SM = 1, SE = 2, SS = 3 };
static const char STATE_CH[4] = {'B', 'M', 'E', 'S'};
/* finalseg.PrevStatus: the two possible predecessors of each state */
static const int PREV[4][2] = {
    {SE, SS},  /* B: 'ES' */
    {SM, SB},  /* M: 'MB' */
    {SB, SM},  /* E: 'BM' */
    {SS, SE},  /* S: 'SE' */
};

/* ------------------------------------------------------------------ */
/* prefix dictionary: a trie of code points                            */
/*   root children: dense array for the BMP, hash for the rest;        */
/*   deeper children: one open-addressing hash keyed (parent, cp).     */
/* ------------------------------------------------------------------ */

typedef struct {
    uint32_t *root;      /* [0x10000] child of the root by code point, or NO_NODE */
    uint64_t *keys;      /* hash keys: (parent+1) << 21 | cp; 0 = empty */
    uint32_t *vals;      /* child node ids */
    size_t cap;          /* power of two */
    size_t used;
    int64_t *freq;       /* per node: FREQ of the prefix (0 = prefix only) */
    double *weight;      /* per node: log(freq) - logtotal, when freq > 0 */
    size_t nnodes, nodecap;
} Trie;

static inline uint64_t hkey(uint32_t parent, Py_UCS4 cp) {
    return ((uint64_t)parent + 1) << 21 | (uint64_t)cp;
}
static inline size_t hslot(uint64_t k, size_t mask) {
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 29) & mask;
}

static int trie_init(Trie *t) {
    memset(t, 0, sizeof *t);
    t->root = malloc(sizeof(uint32_t) * 0x10000);
    t->cap = 1 << 20;
    t->keys = calloc(t->cap, sizeof(uint64_t));
    t->vals = malloc(sizeof(uint32_t) * t->cap);
    t->nodecap = 1 << 19;
    t->freq = malloc(sizeof(int64_t) * t->nodecap);
    t->weight = malloc(sizeof(double) * t->nodecap);
    if (!t->root || !t->keys || !t->vals || !t->freq || !t->weight) return -1;
    memset(t->root, 0xFF, sizeof(uint32_t) * 0x10000);
    return 0;
}

static void trie_free(Trie *t) {
    free(t->root); free(t->keys); free(t->vals); free(t->freq); free(t->weight);
    memset(t, 0, sizeof *t);
}

/* child of node `parent` (NO_NODE = the root) by code point, or NO_NODE */
static inline uint32_t trie_child(const Trie *t, uint32_t parent, Py_UCS4 cp) {
    if (parent == NO_NODE && cp < 0x10000) return t->root[cp];
    uint64_t k = hkey(parent, cp);
    size_t mask = t->cap - 1, i = hslot(k, mask);
    for (;;) {
        uint64_t kk = t->keys[i];
        if (kk == k) return t->vals[i];
        if (kk == 0) return NO_NODE;
        i = (i + 1) & mask;
    }
}

static int trie_grow_hash(Trie *t) {
    size_t ncap = t->cap * 2, mask = ncap - 1;
    uint64_t *nk = calloc(ncap, sizeof(uint64_t));
    uint32_t *nv = malloc(sizeof(uint32_t) * ncap);
    if (!nk || !nv) { free(nk); free(nv); return -1; }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->keys[i]) continue;
        size_t j = hslot(t->keys[i], mask);
        while (nk[j]) j = (j + 1) & mask;
        nk[j] = t->keys[i]; nv[j] = t->vals[i];
    }
    free(t->keys); free(t->vals);
    t->keys = nk; t->vals = nv; t->cap = ncap;
    return 0;
}

static uint32_t trie_new_node(Trie *t) {
    if (t->nnodes >= NO_NODE) return NO_NODE;   /* node ids are uint32, NO_NODE excluded */
    if (t->nnodes == t->nodecap) {
        size_t nc = t->nodecap * 2;
        int64_t *f = realloc(t->freq, sizeof(int64_t) * nc);
        if (!f) return NO_NODE;
        t->freq = f;
        double *w = realloc(t->weight, sizeof(double) * nc);
        if (!w) return NO_NODE;
        t->weight = w;
        t->nodecap = nc;
    }
    t->freq[t->nnodes] = 0;
    t->weight[t->nnodes] = 0.0;
    return (uint32_t)t->nnodes++;
}

/* child of parent by cp, created (as a prefix with freq 0) when absent */
static uint32_t trie_child_add(Trie *t, uint32_t parent, Py_UCS4 cp) {
    uint32_t c = trie_child(t, parent, cp);
    if (c != NO_NODE) return c;
    c = trie_new_node(t);
    if (c == NO_NODE) return NO_NODE;
    if (parent == NO_NODE && cp < 0x10000) { t->root[cp] = c; return c; }
    if ((t->used + 1) * 2 > t->cap && trie_grow_hash(t) < 0) return NO_NODE;
    uint64_t k = hkey(parent, cp);
    size_t mask = t->cap - 1, i = hslot(k, mask);
    while (t->keys[i]) i = (i + 1) & mask;
    t->keys[i] = k; t->vals[i] = c; t->used++;
    return c;
}

/* node of a whole word, creating it and its prefixes (gen_pfdict / add_word) */
static uint32_t trie_insert(Trie *t, const Py_UCS4 *w, Py_ssize_t n) {
    uint32_t node = NO_NODE;
    for (Py_ssize_t i = 0; i < n; i++) {
        node = trie_child_add(t, node, w[i]);
        if (node == NO_NODE) return NO_NODE;
    }
    return node;
}

/* FREQ.get(s[a:b]) or 0 */
static inline int64_t trie_freq(const Trie *t, const Py_UCS4 *s, Py_ssize_t a, Py_ssize_t b) {
    uint32_t node = NO_NODE;
    for (Py_ssize_t i = a; i < b; i++) {
        node = trie_child(t, node, s[i]);
        if (node == NO_NODE) return 0;
    }
    return node == NO_NODE ? 0 : t->freq[node];
}

/* ------------------------------------------------------------------ */
/* the Segmenter object                                                 */
/* ------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    Trie trie;
    int64_t total;          /* Tokenizer.total */
    double logtotal;        /* log(total) */
    double start[4];        /* finalseg start_P */
    double trans[4][4];     /* finalseg trans_P [from][to], MIN_FLOAT when absent */
    double *emit;           /* [4][HAN_N] finalseg emit_P, MIN_FLOAT when absent */
    int init_called;        /* __init__ has begun: it may not run again */
    int ready;              /* __init__ succeeded: the state above is complete and never changes */
} Segmenter;

/* decode one UTF-8 sequence; returns its length, or 0 when invalid */
static int utf8_decode(const unsigned char *p, const unsigned char *end, Py_UCS4 *out) {
    unsigned c = p[0];
    if (c < 0x80) { *out = c; return 1; }
    int n; Py_UCS4 v;
    if ((c & 0xE0) == 0xC0) { n = 2; v = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; v = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 4; v = c & 0x07; }
    else return 0;
    if (end - p < n) return 0;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    *out = v;
    return n;
}

static int is_ascii_ws(unsigned char c) {   /* bytes.strip() */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

/* ValueError naming the dictionary, the line number and the line (its first 80 bytes) */
static void dict_error(const char *what, PyObject *name, Py_ssize_t lineno,
                       const unsigned char *ls, const unsigned char *le) {
    Py_ssize_t n = le - ls > 80 ? 80 : le - ls;
    PyObject *line = PyBytes_FromStringAndSize((const char *)ls, n);
    if (!line) return;
    PyErr_Format(PyExc_ValueError, "%s in %U at Line %zd: %R", what, name, lineno, line);
    Py_DECREF(line);
}

/* total + freq, or -1 when it would leave int64_t (no signed overflow: checked first) */
static int add_total(int64_t *total, int64_t freq) {
    if ((freq > 0 && *total > INT64_MAX - freq) || (freq < 0 && *total < INT64_MIN - freq)) return -1;
    *total += freq;
    return 0;
}

/* Tokenizer.gen_pfdict over the dictionary's bytes: every line "word freq [tag]";
   FREQ[word] = freq (a later duplicate overwrites), total += freq for every line, prefixes
   get 0. jieba's int(freq) has no bound; here |freq| and the running total must fit in
   int64_t, and a line beyond that is refused like a malformed one (ValueError). */
static int load_dict(Segmenter *self, const unsigned char *data, Py_ssize_t size, PyObject *name) {
    Py_UCS4 *word = NULL;
    size_t wcap = 0;
    const unsigned char *p = data, *end = data + size;
    Py_ssize_t lineno = 0;
    while (p < end) {
        const unsigned char *ls = p, *le = memchr(p, '\n', (size_t)(end - p));
        const char *what = "invalid dictionary entry";
        if (!le) le = end;
        p = le < end ? le + 1 : end;
        lineno++;
        while (ls < le && is_ascii_ws(*ls)) ls++;
        while (le > ls && is_ascii_ws(le[-1])) le--;
        if (ls == le) goto bad;  /* jieba raises on an empty line as well */
        const unsigned char *sp = memchr(ls, ' ', (size_t)(le - ls));
        if (!sp || sp == ls) goto bad;
        /* freq: the text up to the next space */
        const unsigned char *fs = sp + 1, *fe = memchr(fs, ' ', (size_t)(le - fs));
        if (!fe) fe = le;
        int64_t freq = 0; int neg = 0;
        const unsigned char *q = fs;
        if (q < fe && (*q == '+' || *q == '-')) { neg = *q == '-'; q++; }
        if (q == fe) goto bad;
        for (; q < fe; q++) {
            if (*q < '0' || *q > '9') goto bad;
            int digit = *q - '0';
            if (freq > (INT64_MAX - digit) / 10) {
                what = "frequency out of range (|freq| > 9223372036854775807)";
                goto bad;
            }
            freq = freq * 10 + digit;
        }
        if (neg) freq = -freq;
        /* decode the word */
        size_t need = (size_t)(sp - ls);
        if (need > wcap) {
            Py_UCS4 *nw = realloc(word, sizeof(Py_UCS4) * need);
            if (!nw) { free(word); PyErr_NoMemory(); return -1; }
            word = nw; wcap = need;
        }
        Py_ssize_t wn = 0;
        for (const unsigned char *r = ls; r < sp;) {
            int k = utf8_decode(r, sp, &word[wn]);
            if (!k) goto bad;
            r += k; wn++;
        }
        if (add_total(&self->total, freq) < 0) {
            what = "total frequency out of range (beyond 9223372036854775807)";
            goto bad;
        }
        uint32_t node = trie_insert(&self->trie, word, wn);
        if (node == NO_NODE) { free(word); PyErr_NoMemory(); return -1; }
        self->trie.freq[node] = freq;
        continue;
    bad:
        free(word);
        dict_error(what, name, lineno, ls, le);
        return -1;
    }
    free(word);
    return 0;
}

/* added words, with the toolkit's rule: the new frequency REPLACES an old one
   (total -= old; total += new); prefixes are added with 0 when absent */
static int add_words(Segmenter *self, PyObject *added) {
    PyObject *seq = PySequence_Fast(added, "added words must be a sequence of (word, freq)");
    if (!seq) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        PyObject *w; long long freq;
        if (!PyArg_ParseTuple(item, "UL;added words must be (str, int) pairs", &w, &freq)) {
            Py_DECREF(seq); return -1;
        }
        if (freq <= 0) {
            /* jieba's add_word(w, 0) also puts w in finalseg's Force_Split_Words: not supported */
            PyErr_SetString(PyExc_ValueError, "added word frequencies must be > 0");
            Py_DECREF(seq); return -1;
        }
        Py_UCS4 *u = PyUnicode_AsUCS4Copy(w);
        if (!u) { Py_DECREF(seq); return -1; }
        uint32_t node = trie_insert(&self->trie, u, PyUnicode_GET_LENGTH(w));
        PyMem_Free(u);
        if (node == NO_NODE) {
            if (PyUnicode_GET_LENGTH(w) == 0) PyErr_SetString(PyExc_ValueError, "empty word");
            else PyErr_NoMemory();
            Py_DECREF(seq); return -1;
        }
        /* freq > 0, the old one may be < 0 (a dictionary line can say so): freq - old is checked too */
        int64_t old = self->trie.freq[node];
        if ((old < 0 && freq > INT64_MAX + old) || add_total(&self->total, freq - old) < 0) {
            PyErr_Format(PyExc_ValueError, "total frequency out of range after adding %R", w);
            Py_DECREF(seq); return -1;
        }
        self->trie.freq[node] = freq;
    }
    Py_DECREF(seq);
    return 0;
}

static int state_index(PyObject *key) {
    if (!PyUnicode_Check(key) || PyUnicode_GET_LENGTH(key) != 1) return -1;
    switch (PyUnicode_READ_CHAR(key, 0)) {
        case 'B': return SB; case 'M': return SM; case 'E': return SE; case 'S': return SS;
    }
    return -1;
}

/* finalseg tables from Python dicts: start_P {s: p}, trans_P {s: {s: p}}, emit_P {s: {ch: p}} */
static int load_hmm(Segmenter *self, PyObject *start, PyObject *trans, PyObject *emit) {
    if (!PyDict_Check(start) || !PyDict_Check(trans) || !PyDict_Check(emit)) {
        PyErr_SetString(PyExc_TypeError, "start_P, trans_P and emit_P must be dicts");
        return -1;
    }
    for (int a = 0; a < 4; a++) {
        self->start[a] = MIN_FLOAT;
        for (int b = 0; b < 4; b++) self->trans[a][b] = MIN_FLOAT;
    }
    self->emit = malloc(sizeof(double) * 4 * HAN_N);
    if (!self->emit) { PyErr_NoMemory(); return -1; }
    for (size_t i = 0; i < 4 * (size_t)HAN_N; i++) self->emit[i] = MIN_FLOAT;

    PyObject *k, *v, *k2, *v2;
    Py_ssize_t pos = 0, pos2;
    while (PyDict_Next(start, &pos, &k, &v)) {
        int s = state_index(k);
        if (s < 0) continue;
        double d = PyFloat_AsDouble(v);
        if (d == -1.0 && PyErr_Occurred()) return -1;
        self->start[s] = d;
    }
    pos = 0;
    while (PyDict_Next(trans, &pos, &k, &v)) {
        int s = state_index(k);
        if (s < 0 || !PyDict_Check(v)) continue;
        pos2 = 0;
        while (PyDict_Next(v, &pos2, &k2, &v2)) {
            int t = state_index(k2);
            if (t < 0) continue;
            double d = PyFloat_AsDouble(v2);
            if (d == -1.0 && PyErr_Occurred()) return -1;
            self->trans[s][t] = d;
        }
    }
    pos = 0;
    while (PyDict_Next(emit, &pos, &k, &v)) {
        int s = state_index(k);
        if (s < 0 || !PyDict_Check(v)) continue;
        pos2 = 0;
        while (PyDict_Next(v, &pos2, &k2, &v2)) {
            /* only Han characters ever reach the Viterbi (finalseg.re_han) */
            if (!PyUnicode_Check(k2) || PyUnicode_GET_LENGTH(k2) != 1) continue;
            Py_UCS4 c = PyUnicode_READ_CHAR(k2, 0);
            if (c < HAN_LO || c > HAN_HI) continue;
            double d = PyFloat_AsDouble(v2);
            if (d == -1.0 && PyErr_Occurred()) return -1;
            self->emit[(size_t)s * HAN_N + (c - HAN_LO)] = d;
        }
    }
    return 0;
}

static void Segmenter_clear(Segmenter *self) {
    trie_free(&self->trie);
    free(self->emit);
    self->emit = NULL;
    self->total = 0;
    self->ready = 0;
}

static void Segmenter_dealloc(Segmenter *self) {
    Segmenter_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Runs once per object. A second call used to free the tables while another thread could be
   segmenting with them (the GIL is released during the work); now it raises instead. The flag
   is set before anything that could run Python code (and so let another thread in), and the
   object is usable only once `ready` is set at the very end. */
static int Segmenter_init(Segmenter *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"dictionary", "added", "start_P", "trans_P", "emit_P", "name", NULL};
    if (self->init_called) {
        PyErr_SetString(PyExc_RuntimeError,
                        "a _jiebac.Segmenter is initialised once: build a new one instead");
        return -1;
    }
    self->init_called = 1;
    Py_buffer dict;
    PyObject *added, *start, *trans, *emit, *name = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*OOOO|U", kwlist, &dict, &added, &start, &trans,
                                     &emit, &name))
        return -1;
    if (!name) name = PyUnicode_FromString("<dictionary>");
    else Py_INCREF(name);
    if (!name) { PyBuffer_Release(&dict); return -1; }
    self->total = 0;
    int rc = trie_init(&self->trie);
    if (rc < 0) PyErr_NoMemory();
    else rc = load_dict(self, (const unsigned char *)dict.buf, dict.len, name);
    PyBuffer_Release(&dict);
    Py_DECREF(name);
    if (rc < 0 || add_words(self, added) < 0 || load_hmm(self, start, trans, emit) < 0) goto fail;
    if (self->total <= 0) { PyErr_SetString(PyExc_ValueError, "total frequency must be > 0"); goto fail; }
    /* calc: log(FREQ[w]) - logtotal, precomputed per word (the same doubles) */
    self->logtotal = log((double)self->total);
    for (size_t i = 0; i < self->trie.nnodes; i++)
        if (self->trie.freq[i] > 0)
            self->trie.weight[i] = log((double)self->trie.freq[i]) - self->logtotal;
    self->ready = 1;
    return 0;
fail:
    Segmenter_clear(self);   /* nobody can be using it: it never was ready */
    return -1;
}

/* ------------------------------------------------------------------ */
/* segmentation core (no Python calls: runs without the GIL)           */
/* ------------------------------------------------------------------ */

typedef struct {
    const Segmenter *seg;
    const Py_UCS4 *s;     /* the text */
    Py_ssize_t n;
    int32_t *ends;        /* output: end offset of every piece */
    Py_ssize_t nends;
    double *route;        /* [n+1] route[x][0] */
    int32_t *best;        /* [n]   route[x][1] */
    double *vit;          /* [2][4] viterbi scratch */
    uint8_t *back;        /* [4n]  viterbi back pointers */
} Work;

static inline void push(Work *w, Py_ssize_t end) { w->ends[w->nends++] = (int32_t)end; }

/* Tokenizer.get_DAG + Tokenizer.calc over the block s[a:b] (offsets absolute).
   route[x] = max over x' in DAG[x] of (log(FREQ[s[x:x'+1]] or 1) - logtotal + route[x'+1], x');
   candidates come in increasing x', so ">=" keeps the larger x' on ties, as tuple max does. */
static void calc_route(Work *w, Py_ssize_t a, Py_ssize_t b) {
    const Trie *t = &w->seg->trie;
    const Py_UCS4 *s = w->s;
    double *route = w->route;
    int32_t *best = w->best;
    const double nolog = 0.0 - w->seg->logtotal;   /* log(1) - logtotal */
    route[b] = 0.0;
    for (Py_ssize_t k = b - 1; k >= a; k--) {
        double bv = 0.0;
        Py_ssize_t bx = -1;
        uint32_t node = s[k] < 0x10000 ? t->root[s[k]] : trie_child(t, NO_NODE, s[k]);
        Py_ssize_t i = k;
        while (node != NO_NODE) {
            if (t->freq[node] > 0) {       /* FREQ[frag] truthy: i is in DAG[k] */
                double v = t->weight[node] + route[i + 1];
                if (bx < 0 || v >= bv) { bv = v; bx = i; }
            }
            if (++i >= b) break;
            node = trie_child(t, node, s[i]);
        }
        if (bx < 0) { bv = nolog + route[k + 1]; bx = k; }   /* DAG[k] = [k] */
        route[k] = bv;
        best[k] = (int32_t)bx;
    }
}

/* finalseg.viterbi + finalseg.__cut over the Han run s[a:b] */
static void viterbi_cut(Work *w, Py_ssize_t a, Py_ssize_t b) {
    const Segmenter *g = w->seg;
    const Py_UCS4 *s = w->s;
    Py_ssize_t n = b - a;
    double V[4], NV[4];
    uint8_t *back = w->back;  /* back[4*t + y] = predecessor state of y at t */
    for (int y = 0; y < 4; y++)
        V[y] = g->start[y] + g->emit[(size_t)y * HAN_N + (s[a] - HAN_LO)];
    for (Py_ssize_t t = 1; t < n; t++) {
        size_t c = s[a + t] - HAN_LO;
        for (int y = 0; y < 4; y++) {
            double em = g->emit[(size_t)y * HAN_N + c];
            int p0 = PREV[y][0], p1 = PREV[y][1];
            double v0 = V[p0] + g->trans[p0][y] + em;
            double v1 = V[p1] + g->trans[p1][y] + em;
            /* max((v0, p0), (v1, p1)): ties go to the larger state letter */
            int pick1 = v1 > v0 || (v1 == v0 && STATE_CH[p1] > STATE_CH[p0]);
            NV[y] = pick1 ? v1 : v0;
            back[4 * t + y] = (uint8_t)(pick1 ? p1 : p0);
        }
        memcpy(V, NV, sizeof V);
    }
    /* max((V[y], y) for y in 'ES'): S wins ties */
    int st = V[SS] >= V[SE] ? SS : SE;
    /* backtrack into back[4*t] (slot 0 of each step is reused for the path) */
    uint8_t *path = w->back + 4 * (size_t)n;   /* second half of the scratch */
    for (Py_ssize_t t = n - 1; t >= 0; t--) {
        path[t] = (uint8_t)st;
        if (t > 0) st = back[4 * t + st];
    }
    /* finalseg.__cut */
    Py_ssize_t begin = 0, nexti = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        switch (path[i]) {
            case SB: begin = i; break;
            case SE: push(w, a + i + 1); nexti = i + 1; (void)begin; break;
            case SS: push(w, a + i + 1); nexti = i + 1; break;
            default: break;
        }
    }
    if (nexti < n) push(w, b);
}

/* finalseg.cut over s[a:b]: Han runs to the Viterbi, the rest split by
   ([a-zA-Z0-9]+(?:\.\d+)?%?), non-empty parts kept (matches and gaps alike) */
static void finalseg_cut(Work *w, Py_ssize_t a, Py_ssize_t b) {
    const Py_UCS4 *s = w->s;
    Py_ssize_t p = a;
    while (p < b) {
        Py_ssize_t q = p;
        if (cls(s[p], C_HAN)) {
            while (q < b && cls(s[q], C_HAN)) q++;
            viterbi_cut(w, p, q);
        } else {
            while (q < b && !cls(s[q], C_HAN)) q++;
            Py_ssize_t r = p;
            while (r < q) {
                Py_ssize_t t = r;
                if (cls(s[r], C_ALNUM)) {
                    while (t < q && cls(s[t], C_ALNUM)) t++;
                    if (t + 1 < q && s[t] == '.' && cls(s[t + 1], C_DIGIT)) {
                        t += 2;
                        while (t < q && cls(s[t], C_DIGIT)) t++;
                    }
                    if (t < q && s[t] == '%') t++;
                } else {
                    while (t < q && !cls(s[t], C_ALNUM)) t++;
                }
                push(w, t);
                r = t;
            }
        }
        p = q;
    }
}

/* the buffer of single characters of __cut_DAG, s[a:b] */
static void flush_buf(Work *w, Py_ssize_t a, Py_ssize_t b) {
    if (b - a == 1) { push(w, b); return; }
    if (trie_freq(&w->seg->trie, w->s, a, b) > 0) {   /* in FREQ: char by char */
        for (Py_ssize_t i = a + 1; i <= b; i++) push(w, i);
    } else {
        finalseg_cut(w, a, b);
    }
}

/* Tokenizer.__cut_DAG over the block s[a:b] */
static void cut_dag_hmm(Work *w, Py_ssize_t a, Py_ssize_t b) {
    calc_route(w, a, b);
    Py_ssize_t x = a, bs = -1;   /* bs: start of the buffer, -1 when empty */
    while (x < b) {
        Py_ssize_t y = w->best[x] + 1;
        if (y - x == 1) {
            if (bs < 0) bs = x;
        } else {
            if (bs >= 0) { flush_buf(w, bs, x); bs = -1; }
            push(w, y);
        }
        x = y;
    }
    if (bs >= 0) flush_buf(w, bs, b);
}

/* Tokenizer.__cut_DAG_NO_HMM over the block s[a:b]: single-char ASCII
   alphanumeric words are joined into one piece */
static void cut_dag_nohmm(Work *w, Py_ssize_t a, Py_ssize_t b) {
    calc_route(w, a, b);
    Py_ssize_t x = a;
    int inbuf = 0;
    while (x < b) {
        Py_ssize_t y = w->best[x] + 1;
        if (y - x == 1 && cls(w->s[x], C_ALNUM)) {
            inbuf = 1;
        } else {
            if (inbuf) { push(w, x); inbuf = 0; }
            push(w, y);
        }
        x = y;
    }
    if (inbuf) push(w, b);
}

/* Tokenizer.cut(sentence, cut_all=False, HMM=hmm) */
static void cut_text(Work *w, int hmm) {
    const Py_UCS4 *s = w->s;
    Py_ssize_t n = w->n, i = 0;
    while (i < n) {
        if (cls(s[i], C_BLOCK)) {             /* a re_han_default block */
            Py_ssize_t j = i + 1;
            while (j < n && cls(s[j], C_BLOCK)) j++;
            if (hmm) cut_dag_hmm(w, i, j); else cut_dag_nohmm(w, i, j);
            i = j;
        } else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            push(w, i + 2);                    /* re_skip_default: \r\n is one piece */
            i += 2;
        } else {
            push(w, ++i);                      /* whitespace, or any other char, alone */
        }
    }
}

/* Work buffers for a text of n code points; 0 on success */
static int work_alloc(Work *w, const Segmenter *seg, const Py_UCS4 *s, Py_ssize_t n) {
    memset(w, 0, sizeof *w);
    w->seg = seg; w->s = s; w->n = n;
    size_t m = (size_t)n + 1;
    w->ends = malloc(sizeof(int32_t) * m);
    w->route = malloc(sizeof(double) * m);
    w->best = malloc(sizeof(int32_t) * m);
    w->back = malloc(8 * m);
    return (w->ends && w->route && w->best && w->back) ? 0 : -1;
}

static void work_free(Work *w) {
    free(w->ends); free(w->route); free(w->best); free(w->back);
}

/* segment `text` into w (w->s owned by the caller's UCS4 copy) */
static int segment(Segmenter *self, PyObject *text, int hmm, Work *w, Py_UCS4 **copy) {
    if (!self->ready) { PyErr_SetString(PyExc_RuntimeError, "Segmenter not initialised"); return -1; }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > INT32_MAX - 2 || (size_t)n > SIZE_MAX / 8 - 1) { PyErr_SetString(PyExc_OverflowError, "text too long"); return -1; }
    *copy = PyUnicode_AsUCS4Copy(text);
    if (!*copy) return -1;
    if (work_alloc(w, self, *copy, n) < 0) {
        work_free(w); PyMem_Free(*copy); *copy = NULL; PyErr_NoMemory(); return -1;
    }
    if (n >= GIL_FREE_MIN) {
        Py_BEGIN_ALLOW_THREADS
        cut_text(w, hmm);
        Py_END_ALLOW_THREADS
    } else {
        cut_text(w, hmm);
    }
    return 0;
}

static PyObject *Segmenter_ends(Segmenter *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"text", "hmm", NULL};
    PyObject *text; int hmm = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|p", kwlist, &text, &hmm)) return NULL;
    Work w; Py_UCS4 *copy;
    if (segment(self, text, hmm, &w, &copy) < 0) return NULL;
    PyObject *res = PyBytes_FromStringAndSize((const char *)w.ends, (Py_ssize_t)(sizeof(int32_t) * w.nends));
    work_free(&w);
    PyMem_Free(copy);
    return res;
}

/* the pieces as a list of str (substrings of the original text object) */
static PyObject *Segmenter_pieces(Segmenter *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"text", "hmm", NULL};
    PyObject *text; int hmm = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|p", kwlist, &text, &hmm)) return NULL;
    Work w; Py_UCS4 *copy;
    if (segment(self, text, hmm, &w, &copy) < 0) return NULL;
    PyObject *list = PyList_New(w.nends);
    Py_ssize_t start = 0;
    for (Py_ssize_t i = 0; list && i < w.nends; i++) {
        PyObject *piece = PyUnicode_Substring(text, start, w.ends[i]);
        if (!piece) { Py_CLEAR(list); break; }
        PyList_SET_ITEM(list, i, piece);
        start = w.ends[i];
    }
    work_free(&w);
    PyMem_Free(copy);
    return list;
}

/* a piece is whitespace iff its first char is: pieces of a block are never
   whitespace, and outside blocks a whitespace piece is one char or \r\n */
static PyObject *Segmenter_line(Segmenter *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"text", "hmm", NULL};
    PyObject *text; int hmm = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|p", kwlist, &text, &hmm)) return NULL;
    Work w; Py_UCS4 *copy;
    if (segment(self, text, hmm, &w, &copy) < 0) return NULL;
    const Py_UCS4 *s = copy;
    /* length and largest char of the result */
    Py_ssize_t len = 0, kept = 0, start = 0;
    Py_UCS4 maxc = 0;
    for (Py_ssize_t i = 0; i < w.nends; i++) {
        Py_ssize_t e = w.ends[i];
        if (!Py_UNICODE_ISSPACE(s[start])) {
            kept++;
            len += e - start;
            for (Py_ssize_t j = start; j < e; j++) if (s[j] > maxc) maxc = s[j];
        }
        start = e;
    }
    if (kept > 1) { len += kept - 1; if (maxc < ' ') maxc = ' '; }
    PyObject *res = PyUnicode_New(len, maxc);
    if (res) {
        int kind = PyUnicode_KIND(res);
        void *data = PyUnicode_DATA(res);
        Py_ssize_t o = 0;
        int first = 1;
        start = 0;
        /* one loop per kind, so the inner copy is a plain typed store */
#define FILL(T)                                                            \
        for (Py_ssize_t i = 0; i < w.nends; i++) {                         \
            Py_ssize_t e = w.ends[i];                                      \
            if (!Py_UNICODE_ISSPACE(s[start])) {                           \
                if (!first) ((T *)data)[o++] = ' ';                        \
                first = 0;                                                 \
                for (Py_ssize_t j = start; j < e; j++) ((T *)data)[o++] = (T)s[j]; \
            }                                                              \
            start = e;                                                     \
        }
        if (kind == PyUnicode_1BYTE_KIND) { FILL(Py_UCS1) }
        else if (kind == PyUnicode_2BYTE_KIND) { FILL(Py_UCS2) }
        else { FILL(Py_UCS4) }
#undef FILL
    }
    work_free(&w);
    PyMem_Free(copy);
    return res;
}

/* Distinct pieces of one text, counted in a hash table on the UCS4 copy: a Python str is
   made once per distinct piece, not once per piece. */
typedef struct {
    int32_t start, len;   /* the first occurrence in the copy */
    Py_ssize_t count;
} Distinct;

static inline uint64_t piece_hash(const Py_UCS4 *p, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;        /* FNV-1a over the code points */
    for (Py_ssize_t i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ULL; }
    return h;
}

/* counts(text, skip=(), hmm=True) -> dict: piece -> how often, in order of first appearance,
   leaving out the pieces that overlap a span of skip: (start, end, ...) items sorted by
   end, none overlapping another (a lexicon's hits). Whitespace pieces are counted too. */
static PyObject *Segmenter_counts(Segmenter *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"text", "skip", "hmm", NULL};
    PyObject *text, *skip = NULL; int hmm = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|Op", kwlist, &text, &skip, &hmm)) return NULL;
    /* the spans to leave out, as two arrays */
    Py_ssize_t nskip = 0;
    Py_ssize_t *sk = NULL;
    if (skip && skip != Py_None) {
        PyObject *seq = PySequence_Fast(skip, "skip must be a sequence of (start, end, ...)");
        if (!seq) return NULL;
        nskip = PySequence_Fast_GET_SIZE(seq);
        sk = PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (size_t)(nskip ? nskip : 1));
        if (!sk) { Py_DECREF(seq); return PyErr_NoMemory(); }
        for (Py_ssize_t i = 0; i < nskip; i++) {
            PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
            PyObject *a = PySequence_Check(item) && PySequence_Size(item) >= 2 ? PySequence_GetItem(item, 0) : NULL;
            PyObject *b = a ? PySequence_GetItem(item, 1) : NULL;
            Py_ssize_t sa = a ? PyLong_AsSsize_t(a) : -1, sb = b ? PyLong_AsSsize_t(b) : -1;
            Py_XDECREF(a); Py_XDECREF(b);
            if (!a || !b || PyErr_Occurred()) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "skip items must be (start, end, ...)");
                PyMem_Free(sk); Py_DECREF(seq); return NULL;
            }
            sk[2 * i] = sa; sk[2 * i + 1] = sb;
        }
        Py_DECREF(seq);
    }
    Work w; Py_UCS4 *copy;
    if (segment(self, text, hmm, &w, &copy) < 0) { PyMem_Free(sk); return NULL; }
    /* the table holds indices into `found` + 1 (0: empty); it is kept under half full */
    size_t cap = 64;
    while (cap < (size_t)w.nends * 2 && cap < (SIZE_MAX >> 2)) cap <<= 1;
    uint32_t *table = calloc(cap, sizeof(uint32_t));
    Distinct *found = malloc(sizeof(Distinct) * (size_t)(w.nends ? w.nends : 1));
    PyObject *res = NULL;
    if (!table || !found) { PyErr_NoMemory(); goto done; }
    Py_ssize_t nfound = 0, start = 0, j = 0;
    for (Py_ssize_t i = 0; i < w.nends; i++) {
        Py_ssize_t e = w.ends[i];
        while (j < nskip && sk[2 * j + 1] <= start) j++;   /* the first span ending after start */
        if (!(j < nskip && sk[2 * j] < e)) {               /* that span does not begin before e */
            Py_ssize_t n = e - start;
            size_t slot = (size_t)piece_hash(copy + start, n) & (cap - 1);
            for (;;) {
                uint32_t at = table[slot];
                if (at == 0) {
                    found[nfound] = (Distinct){(int32_t)start, (int32_t)n, 1};
                    table[slot] = (uint32_t)++nfound;
                    break;
                }
                Distinct *d = &found[at - 1];
                if (d->len == n && memcmp(copy + d->start, copy + start, sizeof(Py_UCS4) * (size_t)n) == 0) {
                    d->count++;
                    break;
                }
                slot = (slot + 1) & (cap - 1);
            }
        }
        start = e;
    }
    res = PyDict_New();
    for (Py_ssize_t k = 0; res && k < nfound; k++) {
        PyObject *piece = PyUnicode_Substring(text, found[k].start, found[k].start + found[k].len);
        PyObject *count = piece ? PyLong_FromSsize_t(found[k].count) : NULL;
        if (!count || PyDict_SetItem(res, piece, count) < 0) Py_CLEAR(res);
        Py_XDECREF(piece); Py_XDECREF(count);
    }
done:
    free(table); free(found);
    work_free(&w);
    PyMem_Free(copy);
    PyMem_Free(sk);
    return res;
}

static PyObject *Segmenter_freq(Segmenter *self, PyObject *arg) {
    /* FREQ.get(word) (None when absent), for tests */
    if (!PyUnicode_Check(arg)) { PyErr_SetString(PyExc_TypeError, "str expected"); return NULL; }
    if (!self->ready) { PyErr_SetString(PyExc_RuntimeError, "Segmenter not initialised"); return NULL; }
    Py_UCS4 *u = PyUnicode_AsUCS4Copy(arg);
    if (!u) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    uint32_t node = NO_NODE;
    for (Py_ssize_t i = 0; i < n && (i == 0 || node != NO_NODE); i++)
        node = trie_child(&self->trie, node, u[i]);
    PyMem_Free(u);
    if (n == 0 || node == NO_NODE) Py_RETURN_NONE;
    return PyLong_FromLongLong(self->trie.freq[node]);
}

static PyObject *Segmenter_get_total(Segmenter *self, void *c) { return PyLong_FromLongLong(self->total); }
static PyObject *Segmenter_get_nodes(Segmenter *self, void *c) { return PyLong_FromSize_t(self->trie.nnodes); }

static PyMethodDef Segmenter_methods[] = {
    {"ends", (PyCFunction)(void (*)(void))Segmenter_ends, METH_VARARGS | METH_KEYWORDS,
     "ends(text, hmm=True) -> bytes: native int32 end offset (code points) of every piece"},
    {"pieces", (PyCFunction)(void (*)(void))Segmenter_pieces, METH_VARARGS | METH_KEYWORDS,
     "pieces(text, hmm=True) -> list[str]: every piece, whitespace included (they join to text)"},
    {"line", (PyCFunction)(void (*)(void))Segmenter_line, METH_VARARGS | METH_KEYWORDS,
     "line(text, hmm=True) -> str: the non-whitespace pieces joined by single spaces"},
    {"counts", (PyCFunction)(void (*)(void))Segmenter_counts, METH_VARARGS | METH_KEYWORDS,
     "counts(text, skip=(), hmm=True) -> dict: how often each piece occurs, in order of first "
     "appearance, leaving out pieces that overlap a (start, end, ...) span of skip (sorted)"},
    {"freq", (PyCFunction)Segmenter_freq, METH_O, "freq(word) -> FREQ.get(word)"},
    {NULL}
};

static PyGetSetDef Segmenter_getset[] = {
    {"total", (getter)Segmenter_get_total, NULL, "Tokenizer.total", NULL},
    {"nodes", (getter)Segmenter_get_nodes, NULL, "size of FREQ (words and prefixes)", NULL},
    {NULL}
};

static PyTypeObject SegmenterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "unitynlp._jiebac.Segmenter",
    .tp_basicsize = sizeof(Segmenter),
    .tp_dealloc = (destructor)Segmenter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Segmenter(dictionary, added, start_P, trans_P, emit_P, name='<dictionary>'): jieba 0.42.1 "
              "accurate mode from the bytes of a jieba dictionary (name: for error messages), "
              "(word, freq) pairs to add, and finalseg's tables. __init__ runs once.",
    .tp_methods = Segmenter_methods,
    .tp_getset = Segmenter_getset,
    .tp_init = (initproc)Segmenter_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "unitynlp._jiebac", "jieba 0.42.1 accurate-mode segmentation in C", -1, NULL,
};

PyMODINIT_FUNC PyInit__jiebac(void) {
    for (Py_UCS4 c = 0; c < 0x10000; c++) {
        uint8_t f = 0;
        if (c >= HAN_LO && c <= HAN_HI) f |= C_BLOCK | C_HAN;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) f |= C_BLOCK | C_ALNUM;
        if (c >= '0' && c <= '9') f |= C_BLOCK | C_ALNUM | C_DIGIT;
        if (c == '+' || c == '#' || c == '&' || c == '.' || c == '_' || c == '%' || c == '-') f |= C_BLOCK;
        cclass[c] = f;
    }
    if (PyType_Ready(&SegmenterType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    Py_INCREF(&SegmenterType);
    if (PyModule_AddObject(m, "Segmenter", (PyObject *)&SegmenterType) < 0) {
        Py_DECREF(&SegmenterType); Py_DECREF(m); return NULL;
    }
    return m;
}
