#include "report/render.h"

#include "enrich/oui.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/flowjson.h"

/* ---- text cells ---- */

/* (render.h) */
size_t dt_render_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        c = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        c = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Copies s into dst as at most cols display columns (one per code point):
 * control characters and invalid bytes become '?', a cut shows "…".
 * Returns the columns used. */
static int fit(char *dst, size_t dstlen, const char *s, int cols)
{
    size_t o = 0;
    int used = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    dst[0] = '\0';
    if (cols <= 0 || dstlen < 8)
        return 0;
    while (n) {
        uint32_t cp = '?';
        size_t l = dt_render_utf8(p, n, &cp);
        const unsigned char *src = p;
        size_t take = l;
        if (!l || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
            src = (const unsigned char *)"?";
            take = 1;
        }
        size_t adv = l ? l : 1;
        /* the last column is kept for "…" unless this is the last code point */
        int last = adv == n;
        if (used == cols - 1 && !last) {
            if (o + 4 > dstlen)
                break;
            memcpy(dst + o, "\xe2\x80\xa6", 3);
            o += 3;
            used++;
            break;
        }
        if (used == cols || o + take + 4 > dstlen)
            break;
        memcpy(dst + o, src, take);
        o += take;
        used++;
        p += adv;
        n -= adv;
    }
    dst[o] = '\0';
    return used;
}

/* Writes s in exactly cols columns (left or right aligned), then sep. */
static void cell(FILE *out, const char *s, int cols, int right, const char *sep)
{
    char buf[1024];
    int used = fit(buf, sizeof buf, s, cols < 250 ? cols : 250);
    if (right)
        fprintf(out, "%*s%s", cols - used, "", buf);
    else if (sep[0] == '\n')
        fputs(buf, out); /* the last cell of a line: no trailing spaces */
    else
        fprintf(out, "%s%*s", buf, cols - used, "");
    fputs(sep, out);
}

/* The last cell of a line, left aligned: no trailing spaces. */
static void last_cell(FILE *out, const char *s, int cols)
{
    char buf[1024];
    fit(buf, sizeof buf, s, cols < 250 ? cols : 250);
    fputs(buf, out);
}

char *dt_render_bytes(double b, char *buf, size_t len)
{
    static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB"};
    if (b < 1000) {
        snprintf(buf, len, "%.0f B", b);
        return buf;
    }
    int u = 0;
    b /= 1000;
    while (b >= 999.95 && u < 4) {
        b /= 1000;
        u++;
    }
    snprintf(buf, len, "%.1f %s", b, unit[u]);
    return buf;
}

static char *fmt_count(double v, char *buf, size_t len)
{
    snprintf(buf, len, "%.0f", v);
    return buf;
}

char *dt_render_pct(double part, double whole, char *buf, size_t len)
{
    if (whole <= 0)
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, "%.1f%%", 100.0 * part / whole);
    return buf;
}

/* Joins keys with ", " (at most len bytes). */
static char *join(const dt_ru_keys *k, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < k->n; i++) {
        int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", k->v[i].key);
        if (w < 0 || (size_t)w >= len - o)
            break;
        o += (size_t)w;
    }
    return buf;
}

typedef struct style {
    int color;
    FILE *out;
    int rows, plain_rows; /* rows per table; 0: all */
} style;

static void on(const style *st, const char *code)
{
    if (st->color)
        fprintf(st->out, "\033[%sm", code);
}

static void heading(const style *st, const char *title)
{
    fputc('\n', st->out);
    on(st, "1");
    fputs(title, st->out);
    on(st, "0");
    fputc('\n', st->out);
}

static const char *transfer_color(const char *t)
{
    if (!t)
        return NULL;
    if (!strcmp(t, "eea"))
        return "32";
    if (!strcmp(t, "adequate") || !strcmp(t, "adequate_partial"))
        return "33";
    if (!strcmp(t, "third_country"))
        return "31";
    return NULL;
}

const char *dt_render_transfer_label(const char *t)
{
    if (!t)
        return "unknown";
    if (!strcmp(t, "eea"))
        return "EU/EEA";
    if (!strcmp(t, "adequate"))
        return "adequate";
    if (!strcmp(t, "adequate_partial"))
        return "adequate (partial)";
    if (!strcmp(t, "third_country"))
        return "third country";
    return t;
}

#define COL_BYTES 8
#define COL_FLOWS 5

static void more_rows_n(const style *st, int rows, int total, const char *what)
{
    if (rows > 0 && total > rows)
        fprintf(st->out, "  \xe2\x80\xa6 %d more %s (--top N, --all; the JSON has all)\n",
                total - rows, what);
}

static void more_rows(const style *st, int total, const char *what)
{
    more_rows_n(st, st->rows, total, what);
}

/* The Up, Down and Flows columns: their heading (row NULL) or a row's values;
 * sep follows the Flows column. */
static void count_cells(FILE *o, const dt_ru_counts *row, const char *sep)
{
    char b[32];
    cell(o, row ? dt_render_bytes((double)row->up, b, sizeof b) : "Up", COL_BYTES, 1, " ");
    cell(o, row ? dt_render_bytes((double)row->down, b, sizeof b) : "Down", COL_BYTES, 1, " ");
    cell(o, row ? fmt_count((double)row->flows, b, sizeof b) : "Flows", COL_FLOWS, 1, sep);
}

/* The heading and the start of the header row of a table of rows, or 0 when
 * there are none. */
static int table_begin(const style *st, size_t total, const char *title)
{
    if (total) {
        heading(st, title);
        on(st, "1");
        fputs("  ", st->out);
    }
    return (int)total;
}

static void header_end(const style *st)
{
    on(st, "0");
    fputc('\n', st->out);
}

#define PARTIAL_NOTES 4

typedef struct table_ctx {
    const style *st;
    int c1, c2;
    /* countries: the notes of the partial adequacy decisions shown (countries.json) */
    const char *note[PARTIAL_NOTES];
    char note_cc[PARTIAL_NOTES][3];
    int n_notes;
} table_ctx;

static int country_line(void *ctx, const void *row)
{
    table_ctx *t = ctx;
    const style *st = t->st;
    const dt_ru_country *c = row;
    FILE *o = st->out;
    int c1 = t->c1, c2 = t->c2;
    char name[256], b[32], doms[512];
    const char *code = c->code && c->code[0] ? c->code : NULL, *nm = c->name;
    if (code && nm)
        snprintf(name, sizeof name, "%s (%s)", nm, code);
    else
        snprintf(name, sizeof name, "%s", code ? code : "(unknown)");
    fputs("  ", o);
    cell(o, name, c1, 0, " ");
    const char *tr = c->transfer, *tc = transfer_color(tr);
    if (tc)
        on(st, tc);
    cell(o, code ? dt_render_transfer_label(tr) : "unknown", 18, 0, "");
    if (tr && !strcmp(tr, "adequate_partial") && c->adequacy_note) {
        if (t->n_notes < PARTIAL_NOTES) {
            t->note[t->n_notes] = c->adequacy_note;
            snprintf(t->note_cc[t->n_notes++], 3, "%s", code);
        }
    }
    if (tc)
        on(st, "0");
    fputc(' ', o);
    count_cells(o, &c->c, " ");
    cell(o, fmt_count((double)c->endpoints, b, sizeof b), 5, 1, c2 >= 8 ? " " : "");
    if (c2 >= 8) {
        size_t k = 0;
        doms[0] = '\0';
        for (size_t i = 0; i < c->top_domains.n; i++) {
            const char *dn = c->top_domains.v[i].key;
            int n = snprintf(doms + k, sizeof doms - k, "%s%s", k ? ", " : "", dn ? dn : "");
            if (n < 0 || (size_t)n >= sizeof doms - k)
                break;
            k += (size_t)n;
        }
        last_cell(o, doms, c2);
    }
    fputc('\n', o);
    return 0;
}

/* Text in lines of at most cols columns, broken at spaces, each indented by 4. */
static void wrapped(FILE *o, const char *s, int cols)
{
    size_t n = strlen(s);
    while (n) {
        size_t take = n, k = 0;
        /* columns: one per code point */
        for (size_t i = 0, c = 0; i < n; i++) {
            if (((unsigned char)s[i] & 0xc0) == 0x80)
                continue;
            if ((int)c == cols) {
                take = i;
                break;
            }
            c++;
        }
        if (take < n) {
            for (k = take; k > 0 && s[k] != ' '; k--)
                ;
            if (k > 0)
                take = k;
        }
        fputs("    ", o);
        fwrite(s, 1, take, o);
        fputc('\n', o);
        s += take;
        n -= take;
        while (*s == ' ') {
            s++;
            n--;
        }
    }
}

/* Addresses located in one country and registered in another, by pair. */
typedef struct reg_pairs {
    char pair[5][16];
    uint64_t n[5];
    int n_pairs;
    uint64_t more;
} reg_pairs;

static int reg_pair(void *ctx, const void *row)
{
    reg_pairs *p = ctx;
    const dt_ru_endpoint *e = row;
    if (!e->country || !e->country[0] || !e->registered_country ||
        !strcmp(e->country, e->registered_country))
        return 0;
    char pair[16];
    snprintf(pair, sizeof pair, "%.2s (reg. %.2s)", e->country, e->registered_country);
    for (int i = 0; i < p->n_pairs; i++)
        if (!strcmp(p->pair[i], pair)) {
            p->n[i]++;
            return 0;
        }
    if (p->n_pairs == 5) {
        p->more++;
        return 0;
    }
    memcpy(p->pair[p->n_pairs], pair, sizeof pair);
    p->n[p->n_pairs++] = 1;
    return 0;
}

/* Where the location and the registration of servers differ: both matter for a transfer
 * (the transfer class goes by the location). */
static void registered_elsewhere(const style *st, const dt_rollup *ru, const dt_ru_totals *t, int w)
{
    if (!t->disagreeing_endpoints)
        return;
    reg_pairs p = {0};
    dt_rollup_each(ru, DT_RU_ENDPOINTS, 0, reg_pair, &p);
    char up[32], line[512];
    int n = snprintf(line, sizeof line, "located elsewhere than registered: %llu address%s, %s up:",
                     (unsigned long long)t->disagreeing_endpoints,
                     t->disagreeing_endpoints == 1 ? "" : "es",
                     dt_render_bytes((double)t->disagreements.up, up, sizeof up));
    for (int i = 0; i < p.n_pairs && n > 0 && (size_t)n < sizeof line; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, "%s %s %llu", i ? "," : "", p.pair[i],
                      (unsigned long long)p.n[i]);
    if (p.more && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, ", %llu more", (unsigned long long)p.more);
    wrapped(st->out, line, w - 4);
}

static void countries_table(const style *st, const dt_rollup *ru, const dt_ru_totals *tot, int w)
{
    int total =
        table_begin(st, dt_rollup_rows(ru, DT_RU_COUNTRIES), "Countries (where the servers are)");
    if (!total)
        return;
    int flex = w - 2 - 19 - 2 * (COL_BYTES + 1) - (COL_FLOWS + 1) - 6;
    int c1 = flex / 2 < 18 ? 18 : flex / 2, c2 = flex - c1 - 1;
    if (c2 < 8)
        c1 = flex > 14 ? flex : 14;
    FILE *o = st->out;
    cell(o, "Country", c1, 0, " ");
    cell(o, "Transfer", 18, 0, " ");
    count_cells(o, NULL, " ");
    cell(o, "Addrs", 5, 1, c2 >= 8 ? " " : "");
    if (c2 >= 8)
        last_cell(o, "Top domains", c2);
    header_end(st);
    table_ctx t = {.st = st, .c1 = c1, .c2 = c2};
    dt_rollup_each(ru, DT_RU_COUNTRIES, (size_t)st->rows, country_line, &t);
    more_rows(st, total, "countries");
    for (int i = 0; i < t.n_notes; i++) { /* the scope of each partial decision, wrapped */
        char note[600];
        snprintf(note, sizeof note, "adequate (partial), %s: %s", t.note_cc[i], t.note[i]);
        wrapped(o, note, w - 4);
    }
    registered_elsewhere(st, ru, tot, w);
}

/* The text of a recipient's party and evidence (the legend below the table). */
const char *dt_render_party_label(const char *p)
{
    return !p                            ? "-"
           : !strcmp(p, "first_party")   ? "first"
           : !strcmp(p, "support_party") ? "support"
           : !strcmp(p, "third_party")   ? "third"
                                         : "unknown";
}

static const char *evidence_marker(unsigned mask, char *buf)
{
    static const char marks[] = "dc?";
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        if (mask & (1u << i))
            buf[n++] = marks[i];
    buf[n] = '\0';
    return buf;
}

static int company_line(void *ctx, const void *row)
{
    const table_ctx *t = ctx;
    const dt_ru_company *c = row;
    FILE *o = t->st->out;
    int c1 = t->c1, c2 = t->c2;
    char list[512], ev[4];
    fputs("  ", o);
    cell(o, c->name, c1, 0, " ");
    cell(o, dt_render_party_label(c->party), 7, 0, " ");
    cell(o, evidence_marker(c->evidence, ev), 3, 0, " ");
    cell(o, join(&c->countries, list, sizeof list), 10, 0, " ");
    count_cells(o, &c->c, c2 >= 8 ? " " : "");
    if (c2 >= 8)
        last_cell(o, join(&c->domains, list, sizeof list), c2);
    fputc('\n', o);
    return 0;
}

static void companies_table(const style *st, const dt_rollup *ru, int w)
{
    int total = table_begin(st, dt_rollup_rows(ru, DT_RU_COMPANIES),
                            "Recipients (who operates the named services)");
    if (!total)
        return;
    int fixed = 2 + 8 + 4 + 11 + 2 * (COL_BYTES + 1) + (COL_FLOWS + 1);
    int flex = w - fixed, c1 = flex, c2 = 0;
    if (flex >= 2 * 24 + 1) { /* room for the domains too */
        c1 = flex / 2;
        c2 = flex - c1 - 1;
    }
    FILE *o = st->out;
    cell(o, "Recipient", c1, 0, " ");
    cell(o, "Party", 7, 0, " ");
    cell(o, "Ev", 3, 0, " ");
    cell(o, "Countries", 10, 0, " ");
    count_cells(o, NULL, c2 >= 8 ? " " : "");
    if (c2 >= 8)
        last_cell(o, "Domains", c2);
    header_end(st);
    table_ctx t = {.st = st, .c1 = c1, .c2 = c2};
    dt_rollup_each(ru, DT_RU_COMPANIES, (size_t)st->rows, company_line, &t);
    more_rows(st, total, "recipients");
    fputs("  ", st->out);
    cell(st->out, "Ev: d = name in entity list, c = certificate organisation, ? = unidentified",
         w - 2, 0, "\n");
}

static int host_line(void *ctx, const void *row)
{
    const table_ctx *t = ctx;
    const dt_ru_host *h = row;
    FILE *o = t->st->out;
    char list[512], b[32];
    size_t k = 0;
    list[0] = '\0';
    for (size_t i = 0; i < h->n_asns; i++) {
        int n = snprintf(list + k, sizeof list - k, "%s%.0f", k ? " " : "", (double)h->asns[i]);
        if (n < 0 || (size_t)n >= sizeof list - k)
            break;
        k += (size_t)n;
    }
    fputs("  ", o);
    cell(o, h->name, t->c1, 0, " ");
    cell(o, list, t->c2, 0, " ");
    cell(o, join(&h->countries, list, sizeof list), 10, 0, " ");
    count_cells(o, &h->c, " ");
    cell(o, fmt_count((double)h->recipients.n, b, sizeof b), 5, 1, "");
    fputc('\n', o);
    return 0;
}

static void hosting_table(const style *st, const dt_rollup *ru, int w)
{
    int total = table_begin(st, dt_rollup_rows(ru, DT_RU_HOSTING),
                            "Hosting networks (who runs the servers)");
    if (!total)
        return;
    int flex = w - 2 - 11 - 2 * (COL_BYTES + 1) - (COL_FLOWS + 1) - 6 - 2;
    int c2 = flex / 3 < 12 ? 12 : flex / 3, c1 = flex - c2;
    FILE *o = st->out;
    cell(o, "Network", c1, 0, " ");
    cell(o, "ASNs", c2, 0, " ");
    cell(o, "Countries", 10, 0, " ");
    count_cells(o, NULL, " ");
    cell(o, "Rcpts", 5, 1, "");
    header_end(st);
    table_ctx t = {.st = st, .c1 = c1, .c2 = c2};
    dt_rollup_each(ru, DT_RU_HOSTING, (size_t)st->rows, host_line, &t);
    more_rows(st, total, "networks");
}

static int device_line(void *ctx, const void *row)
{
    const table_ctx *t = ctx;
    const dt_ru_device *d = row;
    FILE *o = t->st->out;
    char list[512];
    const char *vendor = d->mac ? dt_oui_vendor(d->mac) : NULL;
    fputs("  ", o);
    cell(o, join(&d->addresses, list, sizeof list), t->c1, 0, " ");
    cell(o, vendor ? vendor : d->mac ? d->mac : "-", t->c2, 0, " ");
    count_cells(o, &d->c, " ");
    last_cell(o, join(&d->countries, list, sizeof list), 10);
    fputc('\n', o);
    return 0;
}

/* A table of two text columns (the second a third of the room, at least min2), the
 * counts and the countries; `what` names its rows in the "more" line. */
static void two_text_table(const style *st, const dt_rollup *ru, int w, dt_ru_table tab,
                           const char *title, const char *h1, const char *h2, int min2,
                           dt_ru_fn line, const char *what)
{
    int total = table_begin(st, dt_rollup_rows(ru, tab), title);
    if (!total)
        return;
    int flex = w - 2 - 2 * (COL_BYTES + 1) - (COL_FLOWS + 1) - 10 - 2;
    int c2 = flex / 3 < min2 ? min2 : flex / 3, c1 = flex - c2;
    FILE *o = st->out;
    cell(o, h1, c1, 0, " ");
    cell(o, h2, c2, 0, " ");
    count_cells(o, NULL, " ");
    last_cell(o, "Countries", 10);
    header_end(st);
    table_ctx t = {.st = st, .c1 = c1, .c2 = c2};
    dt_rollup_each(ru, tab, (size_t)st->rows, line, &t);
    more_rows(st, total, what);
}

/* The devices: the local sides, by Ethernet address when the capture shows it. */
static void devices_table(const style *st, const dt_rollup *ru, int w)
{
    two_text_table(st, ru, w, DT_RU_DEVICES, "Devices (the local side)", "Addresses", "MAC vendor",
                   17 /* a MAC address */, device_line, "devices");
}

/* "pid 12, 40" / "uid 10123": the ids of a process, or "-". */
static const char *process_ids(const dt_ru_process *p, char *buf, size_t len)
{
    const uint64_t *v = p->n_pids ? p->pids : p->uids;
    size_t n = p->n_pids ? p->n_pids : p->n_uids, k = 0;
    snprintf(buf, len, "-");
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + k, len - k, "%s%.0f",
                         k           ? ", "
                         : p->n_pids ? "pid "
                                     : "uid ",
                         (double)v[i]);
        if (w < 0 || (size_t)w >= len - k)
            break;
        k += (size_t)w;
    }
    return buf;
}

static int process_line(void *ctx, const void *row)
{
    const table_ctx *t = ctx;
    const dt_ru_process *p = row;
    FILE *o = t->st->out;
    char list[512];
    fputs("  ", o);
    cell(o, p->name[0] ? p->name : "-", t->c1, 0, " ");
    cell(o, process_ids(p, list, sizeof list), t->c2, 0, " ");
    count_cells(o, &p->c, " ");
    last_cell(o, join(&p->countries, list, sizeof list), 10);
    fputc('\n', o);
    return 0;
}

/* The processes (apps) of the capturing host, when the capture names them (macOS
 * PKTAP, PCAPdroid's trailer): nothing at all otherwise. */
static void processes_table(const style *st, const dt_rollup *ru, int w)
{
    two_text_table(st, ru, w, DT_RU_PROCESSES, "Processes (the apps of the capturing host)",
                   "Process", "Ids", 12, process_line, "processes");
}

static int domain_line(void *ctx, const void *row)
{
    const table_ctx *t = ctx;
    const dt_ru_domain *d = row;
    FILE *o = t->st->out;
    char list[512];
    const char *co = d->recipient;
    fputs("  ", o);
    cell(o, d->domain, t->c1, 0, " ");
    cell(o, co ? co : "-", t->c2, 0, " ");
    cell(o, join(&d->countries, list, sizeof list), 10, 0, " ");
    count_cells(o, &d->c, "");
    fputc('\n', o);
    return 0;
}

static void domains_table(const style *st, const dt_rollup *ru, int w)
{
    int total = table_begin(st, dt_rollup_rows(ru, DT_RU_DOMAINS), "Domains");
    if (!total)
        return;
    int flex = w - 2 - 11 - 2 * (COL_BYTES + 1) - (COL_FLOWS + 1) - 2;
    int c1 = flex * 3 / 5 < 14 ? 14 : flex * 3 / 5, c2 = flex - c1 - 1;
    if (c2 < 6)
        c2 = 6;
    FILE *o = st->out;
    cell(o, "Domain", c1, 0, " ");
    cell(o, "Recipient", c2, 0, " ");
    cell(o, "Countries", 10, 0, " ");
    count_cells(o, NULL, "");
    header_end(st);
    table_ctx t = {.st = st, .c1 = c1, .c2 = c2};
    dt_rollup_each(ru, DT_RU_DOMAINS, (size_t)st->rows, domain_line, &t);
    more_rows(st, total, "domains");
}

static int plain_line(void *ctx, const void *row)
{
    const table_ctx *t = ctx;
    const style *st = t->st;
    const dt_ru_plain *p = row;
    FILE *o = st->out;
    char dest[300], b[32];
    snprintf(dest, sizeof dest, "%s:%.0f", p->destination ? p->destination : "", (double)p->port);
    on(st, "33");
    fputs("  ! ", o);
    on(st, "0");
    cell(o, dest, t->c1, 0, " ");
    cell(o, p->app, 6, 0, " ");
    cell(o, dt_render_bytes((double)p->c.up, b, sizeof b), COL_BYTES, 1, " ");
    cell(o, fmt_count((double)p->c.flows, b, sizeof b), COL_FLOWS, 1, "");
    fputc('\n', o);
    return 0;
}

static void plaintext_table(const style *st, const dt_rollup *ru, int w)
{
    int total = (int)dt_rollup_rows(ru, DT_RU_PLAIN);
    if (!total)
        return;
    heading(st, "Sent without encryption");
    int c1 = w - 2 - 2 - 7 - (COL_BYTES + 1) - (COL_FLOWS + 1);
    if (c1 > 50)
        c1 = 50;
    FILE *o = st->out;
    on(st, "1");
    fputs("    ", o);
    cell(o, "Destination", c1, 0, " ");
    cell(o, "App", 6, 0, " ");
    cell(o, "Up", COL_BYTES, 1, " ");
    cell(o, "Flows", COL_FLOWS, 1, "");
    header_end(st);
    table_ctx t = {.st = st, .c1 = c1};
    dt_rollup_each(ru, DT_RU_PLAIN, (size_t)st->plain_rows, plain_line, &t);
    more_rows_n(st, st->plain_rows, total, "plaintext destinations");
}

/* "2022-10-24 08:15:02 .. 08:20:11" (the second date only when it differs) */
static char *time_range(uint64_t first, uint64_t last, int digits, char *buf, size_t len)
{
    char a[64], b[64];
    dt_format_time(first, digits, a, sizeof a);
    dt_format_time(last, digits, b, sizeof b);
    int same_day = !strncmp(a, b, 10);
    snprintf(buf, len, "%.10s %.8s .. %.*s%s%.8s", a, strlen(a) > 11 ? a + 11 : "",
             same_day ? 0 : 10, b, same_day ? "" : " ", strlen(b) > 11 ? b + 11 : "");
    return buf;
}

/* --policy: what broke it, first (the rows of "violations"). */
static void policy_section(const style *st, const dt_render_model *m, int width)
{
    char line[1024], subj[512], a[32], b[96], f0[32], span[80], ex[96];
    size_t n = 0;
    int oom = 0;
    dt_policy_violation *v = dt_policy_violations(m->pol, &n, &oom);
    snprintf(line, sizeof line, "Policy violations (%s)", dt_policy_path(m->policy));
    heading(st, line);
    if (!n) {
        fputs("  ", st->out);
        cell(st->out, oom ? "out of memory" : "none: every flow keeps the policy", width - 2, 0,
             "\n");
    }
    for (size_t i = 0; i < n && (st->rows <= 0 || i < (size_t)st->rows); i++) {
        const dt_policy_violation *x = &v[i];
        int k = 0;
        for (int j = 0; j < x->n_examples && k >= 0 && (size_t)k < sizeof ex; j++)
            k += snprintf(ex + k, sizeof ex - (size_t)k, "%s%llu", j ? ", " : "",
                          (unsigned long long)x->examples[j]);
        if (x->rule == DT_POLICY_max_bytes_per_hour)
            snprintf(b, sizeof b, "; %llu h over, at most %s", (unsigned long long)x->hours,
                     dt_render_bytes((double)x->max_hour_bytes, f0, sizeof f0));
        else
            b[0] = '\0';
        snprintf(line, sizeof line, "%s: %s", dt_policy_rule_name(x->rule),
                 dt_policy_violation_subject(x, subj, sizeof subj));
        on(st, "1;31");
        fputs("  ! ", st->out);
        on(st, "0");
        cell(st->out, line, width - 4, 0, "\n");
        snprintf(line, sizeof line, "%s up, %llu flow%s%s, %s; flows[] %s",
                 dt_render_bytes((double)x->bytes, a, sizeof a), (unsigned long long)x->flows,
                 x->flows == 1 ? "" : "s", b,
                 x->have_time ? time_range(x->first_ns, x->last_ns, x->ts_digits, span, sizeof span)
                              : "no time",
                 ex);
        fputs("      ", st->out);
        cell(st->out, line, width - 6, 0, "\n");
    }
    more_rows(st, (int)n, "violations");
    dt_policy_violations_free(v);
}

/* --window: per window, its upload and flows and its first recipients. */
static void windows_section(const style *st, const dt_window_state *w, int width)
{
    char line[1024], t[64], a[32], b[32];
    size_t n = 0;
    int oom = 0;
    uint64_t size_s = dt_window_size_ns(w) / 1000000000ull;
    dt_window_row *rows = dt_window_rows(w, &n, &oom);
    if (size_s % 86400 == 0)
        snprintf(line, sizeof line, "Upload per window of %llu d (UTC)",
                 (unsigned long long)(size_s / 86400));
    else if (size_s % 3600 == 0)
        snprintf(line, sizeof line, "Upload per window of %llu h (UTC)",
                 (unsigned long long)(size_s / 3600));
    else
        snprintf(line, sizeof line, "Upload per window of %llu min (UTC)",
                 (unsigned long long)(size_s / 60));
    heading(st, line);
    if (!n) {
        fputs("  ", st->out);
        cell(st->out, oom ? "out of memory" : "no upload", width - 2, 0, "\n");
    }
    for (size_t i = 0; i < n && (st->rows <= 0 || i < (size_t)st->rows); i++) {
        int k = 0;
        line[0] = '\0';
        for (size_t j = 0; j < rows[i].n && j < 3 && k >= 0 && (size_t)k < sizeof line; j++) {
            const dt_bucket *x = rows[i].recipients[j];
            k += snprintf(line + k, sizeof line - (size_t)k, "%s%s %s", j ? ", " : "",
                          x->k[0] ? x->k[0] : "(no recipient)",
                          dt_render_bytes((double)x->st.bytes, b, sizeof b));
        }
        if (rows[i].n > 3 && k >= 0 && (size_t)k < sizeof line)
            snprintf(line + k, sizeof line - (size_t)k, ", +%zu more", rows[i].n - 3);
        dt_format_time(rows[i].start_ns, 0, t, sizeof t);
        snprintf(b, sizeof b, "%.10s %.5s", t, t + 11);
        fputs("  ", st->out);
        cell(st->out, b, 16, 0, " ");
        cell(st->out, dt_render_bytes((double)rows[i].bytes, a, sizeof a), COL_BYTES, 1, " ");
        snprintf(a, sizeof a, "%llu", (unsigned long long)rows[i].flows);
        cell(st->out, a, COL_FLOWS, 1, "  ");
        cell(st->out, line, width - 2 - 17 - COL_BYTES - 1 - COL_FLOWS - 2, 0, "\n");
    }
    more_rows(st, (int)n, "windows");
    dt_window_rows_free(rows, n);
}

static void span_text(const dt_render_model *m, char *buf, size_t len)
{
    if (!m->have_time) {
        snprintf(buf, len, "no packets");
        return;
    }
    char f[64], l[64];
    dt_format_time(m->first_ns, m->ts_digits, f, sizeof f);
    dt_format_time(m->last_ns, m->ts_digits, l, sizeof l);
    double d = (double)(m->last_ns - m->first_ns) / 1e9;
    char dur[48];
    if (d >= 86400)
        snprintf(dur, sizeof dur, "%.0f d %02.0f h", (double)(long long)(d / 86400),
                 (double)((long long)d % 86400 / 3600));
    else if (d >= 3600)
        snprintf(dur, sizeof dur, "%.0f h %02.0f min", (double)(long long)(d / 3600),
                 (double)((long long)d % 3600 / 60));
    else if (d >= 60)
        snprintf(dur, sizeof dur, "%.0f min %02.0f s", (double)(long long)(d / 60),
                 (double)((long long)d % 60));
    else
        snprintf(dur, sizeof dur, "%.1f s", d);
    /* "2022-10-24T08:15:02.123456Z" -> "2022-10-24 08:15:02" */
    snprintf(buf, len, "%.10s %.8s .. %.10s %.8s UTC (%s)", f, strlen(f) > 11 ? f + 11 : "", l,
             strlen(l) > 11 ? l + 11 : "", dur);
}

/* One line of the data quality section, under its heading the first time. */
typedef struct quality_ctx {
    const style *st;
    int width, lines;
} quality_ctx;

static void quality_line(void *ctx, const char *text)
{
    quality_ctx *q = ctx;
    const style *st = q->st;
    if (!q->lines++)
        heading(st, "Data quality");
    on(st, "33");
    fputs("  ! ", st->out);
    on(st, "0");
    cell(st->out, text, q->width - 4, 0, "\n");
}

void dt_render_quality(const dt_render_model *m, const dt_ru_totals *t,
                       void (*fn)(void *ctx, const char *line), void *ctx)
{
    char line[512], a[32];
    const dt_summary *s = m->sum;
    uint64_t with_err = dt_summary_u64(s, DT_SUMF_inputs_with_errors);
    uint64_t unread = dt_summary_u64(s, DT_SUMF_inputs_unreadable);
    uint64_t malformed = dt_summary_u64(s, DT_SUMF_malformed);
    uint64_t evicted = dt_summary_u64(s, DT_SUMF_flows_evicted);
    uint64_t refused = dt_summary_u64(s, DT_SUMF_reassembly_refused) +
                       dt_summary_u64(s, DT_SUMF_parser_state_refused);
    double remote_up = (double)(t->bytes_up - t->transfers[DT_RU_TR_LOCAL].up);
    double unnamed = remote_up - (double)t->named.up;
    /* without enrichment (--no-geo, or a merge of such reports) no name is attributed */
    int unnamed_known = remote_up > 0 && unnamed > 0 && (m->enriched || t->named.flows > 0);
    if (with_err || unread) {
        snprintf(line, sizeof line,
                 "%llu input%s read in part, %llu not at all (inputs[].errors says why)",
                 (unsigned long long)with_err, with_err == 1 ? "" : "s",
                 (unsigned long long)unread);
        fn(ctx, line);
    }
    if (malformed) {
        snprintf(line, sizeof line,
                 "%llu malformed frames not decoded (summary.malformed_by_reason)",
                 (unsigned long long)malformed);
        fn(ctx, line);
    }
    if (evicted || refused) {
        snprintf(line, sizeof line,
                 "limits reached: %llu flows ended early (table full), %llu refused reassembly "
                 "or parser state (--max-flows, --stream-cap)",
                 (unsigned long long)evicted, (unsigned long long)refused);
        fn(ctx, line);
    }
    if (t->direction_unknown.flows) {
        snprintf(line, sizeof line,
                 "%llu flows with no local side (%s) are not counted (--local CIDR names the "
                 "device's network)",
                 (unsigned long long)t->direction_unknown.flows,
                 dt_render_bytes((double)(t->direction_unknown.up + t->direction_unknown.down), a,
                                 sizeof a));
        fn(ctx, line);
    }
    if (unnamed_known) {
        char p[16];
        snprintf(line, sizeof line,
                 "%s of the upload went to servers without a name (no SNI, Host or DNS answer)",
                 dt_render_pct(unnamed, remote_up, p, sizeof p));
        fn(ctx, line);
    }
    for (size_t i = 0; i < m->n_warnings; i++)
        fn(ctx, m->warnings[i].message);
}

void dt_render_headline(const dt_render_model *m, const dt_ru_totals *t, dt_headline *h)
{
    char a[32], b[32], c[32], d[32], e[32], p1[16], p2[16], p3[16], p4[16];
    memset(h, 0, sizeof *h);
    double inputs = (double)dt_summary_u64(m->sum, DT_SUMF_inputs);
    char span[160];
    span_text(m, span, sizeof span);
    snprintf(h->inputs, sizeof h->inputs, "%.0f input%s, %s", inputs, inputs == 1 ? "" : "s", span);
    snprintf(h->counts, sizeof h->counts, "%s packets, %s flows (%s local), up %s, down %s",
             fmt_count((double)dt_summary_u64(m->sum, DT_SUMF_packets), a, sizeof a),
             fmt_count((double)dt_summary_u64(m->sum, DT_SUMF_flows), b, sizeof b),
             fmt_count((double)t->local_flows, c, sizeof c),
             dt_render_bytes((double)t->bytes_up, d, sizeof d),
             dt_render_bytes((double)t->bytes_down, e, sizeof e));

    double eea = (double)t->transfers[DT_RU_TR_EEA].up;
    double part = (double)t->transfers[DT_RU_TR_ADEQUATE_PARTIAL].up;
    double adq = (double)t->transfers[DT_RU_TR_ADEQUATE].up + part;
    double third = (double)t->transfers[DT_RU_TR_THIRD_COUNTRY].up;
    double unk = (double)t->transfers[DT_RU_TR_UNKNOWN].up;
    double all = eea + adq + third + unk;
    h->third_country = third > 0;
    /* nothing located (no geo data): unknown, not 0% */
    h->located = !(all > 0 && unk >= all);
    snprintf(h->leaving, sizeof h->leaving, "%s",
             h->located ? dt_render_pct(adq + third, all, p1, sizeof p1) : "unknown");
    int k =
        !h->located
            ? snprintf(h->leaving_detail, sizeof h->leaving_detail, "no server located: %s",
                       dt_summary_u64(m->sum, DT_SUMF_packets) && !t->countries
                           ? "no geo data"
                           : "no country found")
            : snprintf(h->leaving_detail, sizeof h->leaving_detail,
                       "third countries %s, adequate %s", dt_render_pct(third, all, p3, sizeof p3),
                       dt_render_pct(adq, all, p2, sizeof p2));
    if (unk > 0 && unk < all && k > 0 && (size_t)k < sizeof h->leaving_detail)
        snprintf(h->unknown_share, sizeof h->unknown_share, "destination unknown %s",
                 dt_render_pct(unk, all, p4, sizeof p4));
    if (part > 0)
        snprintf(h->partial, sizeof h->partial,
                 "of which adequate (partial) %s: covered only for some recipients",
                 dt_render_pct(part, all, p2, sizeof p2));

    const dt_ru_counts *enc = t->encryption;
    double eu = (double)enc[DT_CRYPTO_ENCRYPTED].up, pu = (double)enc[DT_CRYPTO_PLAINTEXT].up;
    double uu = (double)enc[DT_CRYPTO_UNKNOWN].up;
    snprintf(h->encrypted, sizeof h->encrypted,
             "Encrypted upload: %s (%.0f flows); plaintext %s (%.0f); unknown %s (%.0f)",
             dt_render_pct(eu, eu + pu + uu, p1, sizeof p1), (double)enc[DT_CRYPTO_ENCRYPTED].flows,
             dt_render_pct(pu, eu + pu + uu, p2, sizeof p2), (double)enc[DT_CRYPTO_PLAINTEXT].flows,
             dt_render_pct(uu, eu + pu + uu, p3, sizeof p3), (double)enc[DT_CRYPTO_UNKNOWN].flows);
    snprintf(h->remote, sizeof h->remote,
             "Remote: %.0f addresses, %.0f names, %.0f domains, %.0f countries, %.0f ASNs, "
             "%.0f networks",
             (double)t->remote_addresses, (double)t->remote_names, (double)t->domains,
             (double)t->countries, (double)t->organizations, (double)t->hosting_networks);
    snprintf(h->recipients, sizeof h->recipients,
             "Recipients: %.0f, identified in %.0f/%.0f named flows, %s of their upload",
             (double)t->companies, (double)t->identified.flows, (double)t->named.flows,
             dt_render_pct((double)t->identified.up, (double)t->named.up, p1, sizeof p1));

    double pup[DT_RU_PARTY_COUNT], pall = 0;
    for (int i = 0; i < DT_RU_PARTY_COUNT; i++)
        pall += pup[i] = (double)t->parties[i].up;
    snprintf(h->parties, sizeof h->parties,
             "Upload by party: first %s, support %s, third %s, unknown %s",
             dt_render_pct(pup[0], pall, p1, sizeof p1), dt_render_pct(pup[1], pall, p2, sizeof p2),
             dt_render_pct(pup[2], pall, p3, sizeof p3),
             dt_render_pct(pup[3], pall, p4, sizeof p4));
    int inferred = 0;
    const char *vendor = dt_rollup_vendor(m->ru, &inferred);
    snprintf(h->first_party, sizeof h->first_party, "First party (device maker): %s%s",
             vendor ? vendor : "none found",
             !vendor    ? ""
             : inferred ? " (inferred from the flows)"
                        : "");
    if (t->direction_unknown.flows)
        snprintf(h->no_local, sizeof h->no_local,
                 "No local side in %.0f flows (%s): not counted as upload or download",
                 (double)t->direction_unknown.flows,
                 dt_render_bytes((double)(t->direction_unknown.up + t->direction_unknown.down), a,
                                 sizeof a));
}

/* Issue 18: the lead line, "Personal data sent in clear: N flows, N findings
 * (kinds)", and the section of kind x recipient x country. */
const char *dt_render_personal(const dt_personal *pd, char *buf, size_t len)
{
    char kinds[256] = "";
    size_t n = 0, k = 0;
    const dt_bucket **rows = dt_personal_rows(pd, &n);
    for (size_t i = 0; i < n; i++) {
        if (strstr(kinds, rows[i]->k[0]) || k + strlen(rows[i]->k[0]) + 3 >= sizeof kinds)
            continue;
        k += (size_t)snprintf(kinds + k, sizeof kinds - k, "%s%s", k ? ", " : "", rows[i]->k[0]);
    }
    free(rows);
    snprintf(buf, len, "%llu flows, %llu findings (%s)", (unsigned long long)pd->flows,
             (unsigned long long)pd->findings, kinds);
    return buf;
}

static void personal_lead(const style *st, const dt_personal *pd, int width)
{
    char line[512], text[480];
    snprintf(line, sizeof line, ": %s", dt_render_personal(pd, text, sizeof text));
    fputs("  ", st->out);
    on(st, "1;31");
    fputs("Personal data sent in clear", st->out);
    on(st, "0");
    cell(st->out, line, width - 2 - 27, 0, "\n");
}

static void personal_section(const style *st, const dt_personal *pd, int width)
{
    char a[32];
    size_t n = 0;
    const dt_bucket **rows = dt_personal_rows(pd, &n);
    heading(st, "Personal data sent in clear");
    fputs("  ", st->out);
    cell(st->out, "Kind", 12, 0, " ");
    cell(st->out, "Country", 7, 0, " ");
    cell(st->out, "Flows", COL_FLOWS, 1, "  ");
    cell(st->out, "Recipient", width - 2 - 13 - 8 - COL_FLOWS - 2, 0, "\n");
    for (size_t i = 0; i < n && (st->rows <= 0 || i < (size_t)st->rows); i++) {
        fputs("  ", st->out);
        cell(st->out, rows[i]->k[0], 12, 0, " ");
        cell(st->out, rows[i]->k[2] ? rows[i]->k[2] : "?", 7, 0, " ");
        snprintf(a, sizeof a, "%llu", (unsigned long long)rows[i]->st.flows);
        cell(st->out, a, COL_FLOWS, 1, "  ");
        cell(st->out, rows[i]->k[1] ? rows[i]->k[1] : "(no recipient)",
             width - 2 - 13 - 8 - COL_FLOWS - 2, 0, "\n");
    }
    more_rows(st, (int)n, "rows");
    if (pd->dropped || pd->inflate_bounded) {
        char line[256];
        snprintf(line, sizeof line,
                 "bounds: %llu findings not kept (16 per flow), %llu bodies inflated only in part",
                 (unsigned long long)pd->dropped, (unsigned long long)pd->inflate_bounded);
        fputs("  ", st->out);
        cell(st->out, line, width - 2, 0, "\n");
    }
    free(rows);
}

static void render_text(const dt_render_model *m, FILE *out, int width, int color)
{
    /* rows: 0 = the defaults, -1 = all (0 inside style) */
    style st = {color, out,
                m->rows < 0 ? 0
                : m->rows   ? m->rows
                            : DT_RENDER_ROWS,
                m->rows < 0 ? 0
                : m->rows   ? m->rows
                            : 5};
    dt_ru_totals t;
    dt_rollup_totals(m->ru, &t);
    dt_headline h;
    dt_render_headline(m, &t, &h);
    char line[1024];

    on(&st, "1");
    fputs("datatrail", out);
    on(&st, "0");
    snprintf(line, sizeof line, ": %s", h.inputs);
    cell(out, line, width - 9, 0, "\n");
    fputs("  ", out);
    cell(out, h.counts, width - 2, 0, "\n");
    if (dt_personal_any(m->pd))
        personal_lead(&st, m->pd, width);

    fputs("  ", out);
    on(&st, h.third_country ? "1;31" : "1");
    fputs("Upload leaving the EU/EEA: ", out);
    fputs(h.leaving, out);
    on(&st, "0");
    snprintf(line, sizeof line, " (%s)%s%s", h.leaving_detail, h.unknown_share[0] ? "; " : "",
             h.unknown_share);
    cell(out, line, width - 2 - 27 - (int)strlen(h.leaving), 0, "\n");
    if (h.partial[0]) {
        fputs("    ", out);
        cell(out, h.partial, width - 4, 0, "\n");
    }
    const char *lines[] = {h.encrypted, h.remote, h.recipients, h.parties, h.first_party};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        fputs("  ", out);
        cell(out, lines[i], width - 2, 0, "\n");
    }
    if (h.no_local[0]) {
        fputs("  ", out);
        on(&st, "1");
        cell(out, h.no_local, width - 2, 0, "\n");
        on(&st, "0");
    }

    if (m->pol)
        policy_section(&st, m, width);
    if (dt_personal_any(m->pd))
        personal_section(&st, m->pd, width);
    devices_table(&st, m->ru, width);
    processes_table(&st, m->ru, width);
    countries_table(&st, m->ru, &t, width);
    companies_table(&st, m->ru, width);
    hosting_table(&st, m->ru, width);
    domains_table(&st, m->ru, width);
    plaintext_table(&st, m->ru, width);
    if (m->win)
        windows_section(&st, m->win, width);

    quality_ctx q = {&st, width, 0};
    dt_render_quality(m, &t, quality_line, &q);
    heading(&st, "How to read");
    fputs("  Up = bytes the device sent, Down = bytes it received (IP bytes; kB = 1000 B).\n"
          "  Transfer: EU/EEA; adequate (an EU adequacy decision; partial: only for some\n"
          "  recipients); third country; unknown (no country). Party: first = the device's\n"
          "  maker, support = services acting for it, third = everyone else.\n",
          out);
}

/* The bytes of s[0..n) that fill at most cols columns (one per code point;
 * ANSI colour sequences take none): a line never wraps on a narrow terminal. */
static size_t visible_prefix(const char *s, size_t n, int cols)
{
    int used = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1b) { /* ESC [ ... m */
            while (i < n && s[i] != 'm')
                i++;
            continue;
        }
        if ((c & 0xc0) == 0x80)
            continue;
        if (used == cols)
            return i;
        used++;
    }
    return n;
}

int dt_render_text(const dt_render_model *m, FILE *out, int width, int color)
{
    if (width < 40)
        width = 40;
    if (width > 300)
        width = 300;
    /* rendered into memory first, then written without trailing spaces */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return -1;
    render_text(m, mem, width, color);
    if (fclose(mem) != 0 || !buf) {
        free(buf);
        return -1;
    }
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        size_t end = i;
        while (end > start && buf[end - 1] == ' ')
            end--;
        size_t keep = visible_prefix(buf + start, end - start, width);
        fwrite(buf + start, 1, keep, out);
        if (color && keep < end - start)
            fputs("\x1b[0m", out); /* the cut may have dropped a reset */
        fputc('\n', out);
        start = i + 1;
    }
    fwrite(buf + start, 1, len - start, out);
    free(buf);
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

void dt_render_cell(FILE *out, const char *s, int cols, int right, const char *sep)
{
    cell(out, s, cols, right, sep);
}

/* ---- CSV ---- */

static void csv_field(FILE *out, const char *s, int first)
{
    if (!first)
        fputc(',', out);
    if (!s)
        return;
    size_t n = strlen(s);
    /* Server names, certificate fields and file names come from the capture: a cell a
     * spreadsheet would run as a formula (= + - @ first, or a tab/CR) gets a leading
     * quote, as OWASP advises for CSV injection. */
    int formula = (n > 1 && strchr("=+-@", s[0])) || (n && (s[0] == '\t' || s[0] == '\r'));
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        if (formula)
            fputc('\'', out);
        fputs(s, out);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

const char *dt_render_csv_number(double x, char *buf, size_t len)
{
    if (x == (double)(long long)x && x > -9e18 && x < 9e18)
        snprintf(buf, len, "%lld", (long long)x);
    else
        snprintf(buf, len, "%.15g", x);
    return buf;
}

int dt_render_csv_row(FILE *out, const char *header, const char *const *cells, size_t n)
{
    if (header) {
        fputs(header, out);
        fputs("\r\n", out);
    }
    for (size_t i = 0; i < n; i++)
        csv_field(out, cells[i], i == 0);
    fputs("\r\n", out);
    return ferror(out) ? -1 : 0;
}

/* Items joined with spaces (at most 4095 bytes, whole items). */
typedef struct csv_list {
    char buf[4096];
    size_t o;
    int full;
} csv_list;

static void list_add(csv_list *l, const char *s)
{
    if (l->full)
        return;
    int n = snprintf(l->buf + l->o, sizeof l->buf - l->o, "%s%s", l->o ? " " : "", s);
    if (n < 0 || (size_t)n >= sizeof l->buf - l->o) {
        l->buf[l->o] = '\0';
        l->full = 1;
        return;
    }
    l->o += (size_t)n;
}

static int endpoint_csv(void *ctx, const void *row)
{
    FILE *out = ctx;
    const dt_ru_endpoint *e = row;
    csv_list names = {.o = 0}, ports = {.o = 0};
    char num[11][64], first[64], last[64], p[32];
    for (size_t i = 0; i < e->names.n; i++)
        list_add(&names, e->names.v[i].key);
    for (size_t i = 0; i < e->n_ports; i++) {
        snprintf(p, sizeof p, "%.0f", (double)e->ports[i]);
        list_add(&ports, p);
    }
    const dt_ru_rhythm *rh = &e->rhythm;
    int h = rh->have_intervals;
    const char *cells[] = {
        e->ip,
        names.buf,
        ports.buf,
        e->country && e->country[0] ? e->country : NULL,
        e->have_asn ? dt_render_csv_number((double)e->asn, num[0], sizeof num[0]) : NULL,
        e->org && e->org[0] ? e->org : NULL,
        e->recipient && e->recipient[0] ? e->recipient : NULL,
        e->party,
        e->host && e->host[0] ? e->host : NULL,
        e->transfer && e->transfer[0] ? e->transfer : NULL,
        dt_render_csv_number((double)e->c.up, num[1], sizeof num[1]),
        dt_render_csv_number((double)e->c.down, num[2], sizeof num[2]),
        dt_render_csv_number((double)e->c.flows, num[3], sizeof num[3]),
        e->have_time ? dt_format_time(e->first_ns, e->ts_digits, first, sizeof first) : NULL,
        e->have_time ? dt_format_time(e->last_ns, e->ts_digits, last, sizeof last) : NULL,
        dt_render_csv_number((double)rh->connections, num[4], sizeof num[4]),
        h ? dt_render_csv_number(rh->median_s, num[5], sizeof num[5]) : NULL,
        h ? dt_render_csv_number(rh->mad_s, num[6], sizeof num[6]) : NULL,
        h ? dt_render_csv_number(rh->min_s, num[7], sizeof num[7]) : NULL,
        h ? dt_render_csv_number(rh->max_s, num[8], sizeof num[8]) : NULL,
    };
    return dt_render_csv_row(out, NULL, cells, sizeof cells / sizeof cells[0]);
}

/* The keys of a nested list, joined with spaces. */
static const char *keys_text(const dt_ru_keys *k, csv_list *l)
{
    for (size_t i = 0; i < k->n; i++)
        list_add(l, k->v[i].key);
    return l->buf;
}

/* Up, down and flows as the last three cells. */
#define CSV_COUNTS(c, num)                                                                         \
    dt_render_csv_number((double)(c).up, num[0], sizeof num[0]),                                   \
        dt_render_csv_number((double)(c).down, num[1], sizeof num[1]),                             \
        dt_render_csv_number((double)(c).flows, num[2], sizeof num[2])
#define CSV_ROW(out, cells) dt_render_csv_row(out, NULL, cells, sizeof cells / sizeof cells[0])

static int country_csv(void *ctx, const void *row)
{
    const dt_ru_country *c = row;
    char num[4][64];
    csv_list d = {.o = 0};
    const char *cells[] = {c->code && c->code[0] ? c->code : NULL,
                           c->name,
                           c->transfer,
                           CSV_COUNTS(c->c, num),
                           dt_render_csv_number((double)c->endpoints, num[3], sizeof num[3]),
                           keys_text(&c->top_domains, &d)};
    return CSV_ROW(ctx, cells);
}

static int org_csv(void *ctx, const void *row)
{
    const dt_ru_org *o = row;
    char num[5][64];
    csv_list cs = {.o = 0};
    const char *cells[] = {dt_render_csv_number((double)o->asn, num[3], sizeof num[3]), o->org,
                           keys_text(&o->countries, &cs), CSV_COUNTS(o->c, num),
                           dt_render_csv_number((double)o->endpoints, num[4], sizeof num[4])};
    return CSV_ROW(ctx, cells);
}

static int company_csv(void *ctx, const void *row)
{
    const dt_ru_company *c = row;
    char num[3][64], ev[8];
    csv_list cs = {.o = 0}, ds = {.o = 0};
    const char *cells[] = {c->name,
                           c->identified ? "true" : "false",
                           evidence_marker(c->evidence, ev),
                           c->category,
                           c->party,
                           keys_text(&c->countries, &cs),
                           CSV_COUNTS(c->c, num),
                           keys_text(&c->domains, &ds)};
    return CSV_ROW(ctx, cells);
}

static int host_csv(void *ctx, const void *row)
{
    const dt_ru_host *h = row;
    char num[3][64], a[32];
    csv_list as = {.o = 0}, cs = {.o = 0}, rs = {.o = 0};
    for (size_t i = 0; i < h->n_asns; i++) {
        snprintf(a, sizeof a, "%.0f", (double)h->asns[i]);
        list_add(&as, a);
    }
    const char *cells[] = {h->name,
                           h->category,
                           as.buf,
                           keys_text(&h->countries, &cs),
                           CSV_COUNTS(h->c, num),
                           keys_text(&h->recipients, &rs)};
    return CSV_ROW(ctx, cells);
}

static int process_csv(void *ctx, const void *row)
{
    const dt_ru_process *p = row;
    char num[3][64], a[32];
    csv_list ps = {.o = 0}, us = {.o = 0}, cs = {.o = 0};
    for (size_t i = 0; i < p->n_pids + p->n_uids; i++) {
        int pid = i < p->n_pids;
        snprintf(a, sizeof a, "%.0f", (double)(pid ? p->pids[i] : p->uids[i - p->n_pids]));
        list_add(pid ? &ps : &us, a);
    }
    const char *cells[] = {p->name, ps.buf, us.buf, CSV_COUNTS(p->c, num),
                           keys_text(&p->countries, &cs)};
    return CSV_ROW(ctx, cells);
}

static int domain_csv(void *ctx, const void *row)
{
    const dt_ru_domain *d = row;
    char num[3][64];
    csv_list ns = {.o = 0}, cs = {.o = 0};
    const char *cells[] = {d->domain, keys_text(&d->names, &ns), d->recipient,
                           keys_text(&d->countries, &cs), CSV_COUNTS(d->c, num)};
    return CSV_ROW(ctx, cells);
}

static int device_csv(void *ctx, const void *row)
{
    const dt_ru_device *d = row;
    char num[3][64];
    csv_list as = {.o = 0}, rs = {.o = 0}, cs = {.o = 0};
    const char *cells[] = {d->device,
                           d->mac,
                           d->mac ? dt_oui_vendor(d->mac) : NULL,
                           keys_text(&d->addresses, &as),
                           CSV_COUNTS(d->c, num),
                           keys_text(&d->recipients, &rs),
                           keys_text(&d->countries, &cs)};
    return CSV_ROW(ctx, cells);
}

static int plain_csv(void *ctx, const void *row)
{
    const dt_ru_plain *p = row;
    char num[4][64];
    const char *cells[] = {p->destination,
                           dt_render_csv_number((double)p->port, num[3], sizeof num[3]), p->app,
                           CSV_COUNTS(p->c, num)};
    return CSV_ROW(ctx, cells);
}

/* The tables a CSV can hold (--table NAME), each with its header. */
static const struct csv_table {
    const char *name;
    dt_ru_table table;
    const char *columns;
    dt_ru_fn row;
} csv_tables[] = {
    {"endpoints", DT_RU_ENDPOINTS, DT_CSV_ENDPOINT_COLUMNS, endpoint_csv},
    {"devices", DT_RU_DEVICES,
     "device,mac,vendor,addresses,bytes_up,bytes_down,flows,recipients,countries", device_csv},
    {"countries", DT_RU_COUNTRIES,
     "code,name,transfer,bytes_up,bytes_down,flows,endpoints,top_domains", country_csv},
    {"companies", DT_RU_COMPANIES,
     "name,identified,evidence,category,party,countries,bytes_up,bytes_down,flows,domains",
     company_csv},
    {"hosting", DT_RU_HOSTING, "name,category,asns,countries,bytes_up,bytes_down,flows,recipients",
     host_csv},
    {"organizations", DT_RU_ORGS, "asn,org,countries,bytes_up,bytes_down,flows,endpoints", org_csv},
    {"domains", DT_RU_DOMAINS, "domain,names,recipient,countries,bytes_up,bytes_down,flows",
     domain_csv},
    {"plaintext", DT_RU_PLAIN, "destination,port,app,bytes_up,bytes_down,flows", plain_csv},
    {"processes", DT_RU_PROCESSES, "name,pids,uids,bytes_up,bytes_down,flows,countries",
     process_csv},
};

const char *dt_render_csv_table_name(size_t i)
{
    return i < sizeof csv_tables / sizeof csv_tables[0] ? csv_tables[i].name : NULL;
}

int dt_render_csv_table(const dt_rollup *ru, const char *name, FILE *out)
{
    for (size_t i = 0; i < sizeof csv_tables / sizeof csv_tables[0]; i++) {
        const struct csv_table *t = &csv_tables[i];
        if (strcmp(t->name, name ? name : "endpoints") != 0)
            continue;
        fprintf(out, "%s\r\n", t->columns);
        dt_rollup_each(ru, t->table, 0, t->row, out);
        return fflush(out) != 0 || ferror(out) ? -1 : 0;
    }
    return -1;
}

int dt_render_csv_endpoints(const dt_rollup *ru, FILE *out)
{
    return dt_render_csv_table(ru, "endpoints", out);
}
