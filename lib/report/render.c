#include "report/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the report ---- */

static const cJSON *jget(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsNumber(v) && v->valuedouble == v->valuedouble ? v->valuedouble : 0;
}

/* ---- text cells ---- */

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, or 0
 * when invalid (overlong, surrogate, out of range, cut short). */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
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
        size_t l = utf8_len(p, n, &cp);
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

static char *fmt_bytes(double b, char *buf, size_t len)
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

static char *fmt_pct(double part, double whole, char *buf, size_t len)
{
    if (whole <= 0)
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, "%.1f%%", 100.0 * part / whole);
    return buf;
}

/* Joins the strings of an array with ", " (at most len bytes). */
static char *join(const cJSON *a, char *buf, size_t len)
{
    size_t o = 0;
    const cJSON *it;
    buf[0] = '\0';
    const cJSON *arr = cJSON_IsArray(a) ? a : NULL;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it))
            continue;
        int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", it->valuestring);
        if (w < 0 || (size_t)w >= len - o)
            break;
        o += (size_t)w;
    }
    return buf;
}

typedef struct style {
    int color;
    FILE *out;
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
    if (!strcmp(t, "adequate"))
        return "33";
    if (!strcmp(t, "third_country"))
        return "31";
    return NULL;
}

static const char *transfer_label(const char *t)
{
    if (!t)
        return "unknown";
    if (!strcmp(t, "eea"))
        return "EU/EEA";
    if (!strcmp(t, "adequate"))
        return "adequate";
    if (!strcmp(t, "third_country"))
        return "third country";
    return t;
}

#define COL_BYTES 8
#define COL_FLOWS 5

static void more_rows(const style *st, int shown, int total, const char *what)
{
    if (total > shown)
        fprintf(st->out, "  \xe2\x80\xa6 %d more %s\n", total - shown, what);
}

/* The Up, Down and Flows columns: their heading (row NULL) or a row's values;
 * sep follows the Flows column. */
static void count_cells(FILE *o, const cJSON *row, const char *sep)
{
    char b[32];
    cell(o, row ? fmt_bytes(jnum(row, "bytes_up"), b, sizeof b) : "Up", COL_BYTES, 1, " ");
    cell(o, row ? fmt_bytes(jnum(row, "bytes_down"), b, sizeof b) : "Down", COL_BYTES, 1, " ");
    cell(o, row ? fmt_count(jnum(row, "flows"), b, sizeof b) : "Flows", COL_FLOWS, 1, sep);
}

/* The heading and the start of the header row of a table of rows, or 0 when
 * there are none. */
static int table_begin(const style *st, const cJSON *rows, const char *title)
{
    int total = cJSON_GetArraySize(rows);
    if (total) {
        heading(st, title);
        on(st, "1");
        fputs("  ", st->out);
    }
    return total;
}

static void header_end(const style *st)
{
    on(st, "0");
    fputc('\n', st->out);
}

static void countries_table(const style *st, const cJSON *rep, int w)
{
    const cJSON *cs = jget(rep, "countries");
    int total = table_begin(st, cs, "Countries (where the servers are)");
    if (!total)
        return;
    int flex = w - 2 - 14 - 2 * (COL_BYTES + 1) - (COL_FLOWS + 1) - 6;
    int c1 = flex / 2 < 14 ? 14 : flex / 2, c2 = flex - c1 - 1;
    if (c2 < 8)
        c1 = flex > 14 ? flex : 14;
    FILE *o = st->out;
    cell(o, "Country", c1, 0, " ");
    cell(o, "Transfer", 13, 0, " ");
    count_cells(o, NULL, " ");
    cell(o, "Addrs", 5, 1, c2 >= 8 ? " " : "");
    if (c2 >= 8)
        last_cell(o, "Top domains", c2);
    header_end(st);
    int shown = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cs)
    {
        if (shown == DT_RENDER_ROWS)
            break;
        char name[256], b[32], doms[512];
        const char *code = jstr(c, "code"), *nm = jstr(c, "name");
        if (code && nm)
            snprintf(name, sizeof name, "%s (%s)", nm, code);
        else
            snprintf(name, sizeof name, "%s", code ? code : "(unknown)");
        fputs("  ", o);
        cell(o, name, c1, 0, " ");
        const char *t = jstr(c, "transfer"), *tc = transfer_color(t);
        if (tc)
            on(st, tc);
        cell(o, code ? transfer_label(t) : "unknown", 13, 0, "");
        if (tc)
            on(st, "0");
        fputc(' ', o);
        count_cells(o, c, " ");
        cell(o, fmt_count(jnum(c, "endpoints"), b, sizeof b), 5, 1, c2 >= 8 ? " " : "");
        if (c2 >= 8) {
            size_t k = 0;
            const cJSON *d;
            doms[0] = '\0';
            cJSON_ArrayForEach(d, jget(c, "top_domains"))
            {
                const char *dn = jstr(d, "domain");
                int n = snprintf(doms + k, sizeof doms - k, "%s%s", k ? ", " : "", dn ? dn : "");
                if (n < 0 || (size_t)n >= sizeof doms - k)
                    break;
                k += (size_t)n;
            }
            last_cell(o, doms, c2);
        }
        fputc('\n', o);
        shown++;
    }
    more_rows(st, shown, total, "countries");
}

static void companies_table(const style *st, const cJSON *rep, int w)
{
    const cJSON *cs = jget(rep, "companies");
    int total = table_begin(st, cs, "Companies");
    if (!total)
        return;
    int flex = w - 2 - 11 - 2 * (COL_BYTES + 1) - (COL_FLOWS + 1) - 2;
    int c1 = flex / 2 < 12 ? 12 : flex / 2, c2 = flex - c1 - 1;
    FILE *o = st->out;
    cell(o, "Company", c1, 0, " ");
    cell(o, "Countries", 10, 0, " ");
    count_cells(o, NULL, c2 >= 8 ? " " : "");
    if (c2 >= 8)
        last_cell(o, "Domains", c2);
    header_end(st);
    int shown = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cs)
    {
        if (shown == DT_RENDER_ROWS)
            break;
        char list[512];
        fputs("  ", o);
        cell(o, jstr(c, "name"), c1, 0, " ");
        cell(o, join(jget(c, "countries"), list, sizeof list), 10, 0, " ");
        count_cells(o, c, c2 >= 8 ? " " : "");
        if (c2 >= 8)
            last_cell(o, join(jget(c, "domains"), list, sizeof list), c2);
        fputc('\n', o);
        shown++;
    }
    more_rows(st, shown, total, "companies");
}

static void domains_table(const style *st, const cJSON *rep, int w)
{
    const cJSON *ds = jget(rep, "domains");
    int total = table_begin(st, ds, "Domains");
    if (!total)
        return;
    int flex = w - 2 - 11 - 2 * (COL_BYTES + 1) - (COL_FLOWS + 1) - 2;
    int c1 = flex * 3 / 5 < 14 ? 14 : flex * 3 / 5, c2 = flex - c1 - 1;
    if (c2 < 6)
        c2 = 6;
    FILE *o = st->out;
    cell(o, "Domain", c1, 0, " ");
    cell(o, "Company", c2, 0, " ");
    cell(o, "Countries", 10, 0, " ");
    count_cells(o, NULL, "");
    header_end(st);
    int shown = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, ds)
    {
        if (shown == DT_RENDER_ROWS)
            break;
        char list[512];
        const char *co = jstr(d, "company");
        fputs("  ", o);
        cell(o, jstr(d, "domain"), c1, 0, " ");
        cell(o, co ? co : "-", c2, 0, " ");
        cell(o, join(jget(d, "countries"), list, sizeof list), 10, 0, " ");
        count_cells(o, d, "");
        fputc('\n', o);
        shown++;
    }
    more_rows(st, shown, total, "domains");
}

#define PLAIN_ROWS 5

static void plaintext_table(const style *st, const cJSON *sum, int w)
{
    const cJSON *ps = jget(sum, "plaintext_destinations");
    int total = cJSON_GetArraySize(ps);
    if (!total)
        return;
    heading(st, "Sent without encryption");
    FILE *o = st->out;
    int c1 = w - 2 - 2 - 7 - (COL_BYTES + 1) - (COL_FLOWS + 4);
    if (c1 > 50)
        c1 = 50;
    int shown = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, ps)
    {
        if (shown == PLAIN_ROWS)
            break;
        char dest[300], b[32];
        snprintf(dest, sizeof dest, "%s:%.0f", jstr(p, "destination") ? jstr(p, "destination") : "",
                 jnum(p, "port"));
        on(st, "33");
        fputs("  ! ", o);
        on(st, "0");
        cell(o, dest, c1, 0, " ");
        cell(o, jstr(p, "app"), 6, 0, " ");
        cell(o, fmt_bytes(jnum(p, "bytes_up"), b, sizeof b), COL_BYTES, 1, " ");
        snprintf(b, sizeof b, "%.0f fl", jnum(p, "flows"));
        cell(o, b, COL_FLOWS + 3, 1, "");
        fputc('\n', o);
        shown++;
    }
    more_rows(st, shown, total, "plaintext destinations");
}

static void span_text(const cJSON *sum, char *buf, size_t len)
{
    const char *f = jstr(sum, "first_seen"), *l = jstr(sum, "last_seen");
    if (!f || !l) {
        snprintf(buf, len, "no packets");
        return;
    }
    double d = jnum(sum, "duration_s");
    char dur[48];
    if (d >= 3600)
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

static void render_text(const cJSON *rep, FILE *out, int width, int color)
{
    style st = {color, out};
    const cJSON *sum = jget(rep, "summary");
    char line[1024], a[32], b[32], c[32], d[32], e[32];

    on(&st, "1");
    fputs("datatrail", out);
    on(&st, "0");
    double inputs = jnum(sum, "inputs");
    char span[160];
    span_text(sum, span, sizeof span);
    snprintf(line, sizeof line, ": %.0f input%s, %s", inputs, inputs == 1 ? "" : "s", span);
    cell(out, line, width - 9, 0, "\n");
    snprintf(line, sizeof line, "%s packets, %s flows (%s local), up %s, down %s",
             fmt_count(jnum(sum, "packets"), a, sizeof a),
             fmt_count(jnum(sum, "flows"), b, sizeof b),
             fmt_count(jnum(sum, "local_flows"), c, sizeof c),
             fmt_bytes(jnum(sum, "bytes_up"), d, sizeof d),
             fmt_bytes(jnum(sum, "bytes_down"), e, sizeof e));
    fputs("  ", out);
    cell(out, line, width - 2, 0, "\n");

    const cJSON *tr = jget(sum, "transfers");
    double eea = jnum(jget(tr, "eea"), "bytes_up"), adq = jnum(jget(tr, "adequate"), "bytes_up");
    double third = jnum(jget(tr, "third_country"), "bytes_up");
    double unk = jnum(jget(tr, "unknown"), "bytes_up");
    double all = eea + adq + third + unk;
    char p1[16], p2[16], p3[16], p4[16];
    fputs("  ", out);
    on(&st, third > 0 ? "1;31" : "1");
    fputs("Upload leaving the EU/EEA: ", out);
    fputs(fmt_pct(adq + third, all, p1, sizeof p1), out);
    on(&st, "0");
    int k = snprintf(line, sizeof line, " (third countries %s, adequate %s)",
                     fmt_pct(third, all, p3, sizeof p3), fmt_pct(adq, all, p2, sizeof p2));
    if (unk > 0 && k > 0 && (size_t)k < sizeof line)
        snprintf(line + k, sizeof line - (size_t)k, "; destination unknown %s",
                 fmt_pct(unk, all, p4, sizeof p4));
    cell(out, line, width - 2 - 27 - (int)strlen(p1), 0, "\n");

    const cJSON *enc = jget(sum, "encryption");
    double eu = jnum(jget(enc, "encrypted"), "bytes_up");
    double pu = jnum(jget(enc, "plaintext"), "bytes_up");
    double uu = jnum(jget(enc, "unknown"), "bytes_up");
    snprintf(line, sizeof line,
             "Encrypted upload: %s (%.0f flows); plaintext %s (%.0f); unknown %s (%.0f)",
             fmt_pct(eu, eu + pu + uu, p1, sizeof p1), jnum(jget(enc, "encrypted"), "flows"),
             fmt_pct(pu, eu + pu + uu, p2, sizeof p2), jnum(jget(enc, "plaintext"), "flows"),
             fmt_pct(uu, eu + pu + uu, p3, sizeof p3), jnum(jget(enc, "unknown"), "flows"));
    fputs("  ", out);
    cell(out, line, width - 2, 0, "\n");
    snprintf(line, sizeof line,
             "Remote: %.0f addresses, %.0f names, %.0f domains, %.0f countries, %.0f ASNs, "
             "%.0f companies",
             jnum(sum, "remote_addresses"), jnum(sum, "remote_names"), jnum(sum, "domains"),
             jnum(sum, "countries"), jnum(sum, "organizations"), jnum(sum, "companies"));
    fputs("  ", out);
    cell(out, line, width - 2, 0, "\n");

    countries_table(&st, rep, width);
    companies_table(&st, rep, width);
    domains_table(&st, rep, width);
    plaintext_table(&st, sum, width);

    const cJSON *ws = jget(rep, "warnings");
    if (cJSON_GetArraySize(ws) > 0) {
        heading(&st, "Warnings");
        const cJSON *wi;
        cJSON_ArrayForEach(wi, ws)
        {
            if (!cJSON_IsString(wi))
                continue;
            on(&st, "33");
            fputs("  ! ", out);
            on(&st, "0");
            cell(out, wi->valuestring, width - 4, 0, "\n");
        }
    }
}

int dt_render_text(const cJSON *rep, FILE *out, int width, int color)
{
    if (width < 60)
        width = 60;
    if (width > 300)
        width = 300;
    /* rendered into memory first, then written without trailing spaces */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return -1;
    render_text(rep, mem, width, color);
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
        fwrite(buf + start, 1, end - start, out);
        fputc('\n', out);
        start = i + 1;
    }
    fwrite(buf + start, 1, len - start, out);
    free(buf);
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

/* ---- CSV ---- */

static void csv_field(FILE *out, const char *s, int first)
{
    if (!first)
        fputc(',', out);
    if (!s)
        return;
    size_t n = strlen(s);
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

/* The value of o[k] as CSV text: strings as they are, numbers without
 * exponent when integral, booleans as true/false, null/missing as empty. */
static void csv_value(FILE *out, const cJSON *o, const char *k, int first)
{
    const cJSON *v = jget(o, k);
    char buf[64];
    if (cJSON_IsString(v)) {
        csv_field(out, v->valuestring, first);
    } else if (cJSON_IsNumber(v)) {
        double x = v->valuedouble;
        if (x == (double)(long long)x && x > -9e18 && x < 9e18)
            snprintf(buf, sizeof buf, "%lld", (long long)x);
        else
            snprintf(buf, sizeof buf, "%.15g", x);
        csv_field(out, buf, first);
    } else if (cJSON_IsBool(v)) {
        csv_field(out, cJSON_IsTrue(v) ? "true" : "false", first);
    } else {
        csv_field(out, NULL, first);
    }
}

int dt_render_csv_flows(const cJSON *f, FILE *out, int header)
{
    if (header)
        fputs(DT_CSV_FLOW_COLUMNS "\r\n", out);
    if (cJSON_IsObject(f)) {
        const cJSON *c = jget(f, "client"), *s = jget(f, "server");
        csv_value(out, f, "first_seen", 1);
        csv_value(out, f, "last_seen", 0);
        csv_value(out, f, "proto", 0);
        csv_value(out, f, "app", 0);
        csv_value(out, c, "ip", 0);
        csv_value(out, c, "port", 0);
        csv_value(out, c, "local", 0);
        csv_value(out, s, "ip", 0);
        csv_value(out, s, "port", 0);
        csv_value(out, s, "local", 0);
        csv_value(out, s, "name", 0);
        csv_value(out, s, "name_source", 0);
        csv_value(out, jget(f, "tls"), "sni", 0);
        csv_value(out, jget(f, "quic"), "sni", 0);
        csv_value(out, jget(f, "http"), "host", 0);
        csv_value(out, f, "encrypted_dns", 0);
        csv_value(out, s, "country", 0);
        csv_value(out, s, "asn", 0);
        csv_value(out, s, "org", 0);
        csv_value(out, s, "company", 0);
        csv_value(out, s, "domain", 0);
        csv_value(out, s, "transfer", 0);
        csv_value(out, c, "packets", 0);
        csv_value(out, c, "bytes", 0);
        csv_value(out, s, "packets", 0);
        csv_value(out, s, "bytes", 0);
        csv_value(out, f, "end", 0);
        csv_value(out, f, "input", 0);
        fputs("\r\n", out);
    }
    return ferror(out) ? -1 : 0;
}

/* Array items (strings or numbers) joined with spaces. */
static void csv_list(FILE *out, const cJSON *a)
{
    char buf[4096];
    size_t o = 0;
    const cJSON *it;
    buf[0] = '\0';
    const cJSON *arr = cJSON_IsArray(a) ? a : NULL;
    cJSON_ArrayForEach(it, arr)
    {
        int n;
        if (cJSON_IsString(it))
            n = snprintf(buf + o, sizeof buf - o, "%s%s", o ? " " : "", it->valuestring);
        else if (cJSON_IsNumber(it))
            n = snprintf(buf + o, sizeof buf - o, "%s%.0f", o ? " " : "", it->valuedouble);
        else
            continue;
        if (n < 0 || (size_t)n >= sizeof buf - o) {
            buf[o] = '\0';
            break;
        }
        o += (size_t)n;
    }
    csv_field(out, buf, 0);
}

int dt_render_csv_endpoints(const cJSON *rep, FILE *out)
{
    fputs(DT_CSV_ENDPOINT_COLUMNS "\r\n", out);
    const cJSON *e;
    cJSON_ArrayForEach(e, jget(rep, "endpoints"))
    {
        if (!cJSON_IsObject(e))
            continue;
        const cJSON *rh = jget(e, "rhythm");
        csv_value(out, e, "ip", 1);
        csv_list(out, jget(e, "names"));
        csv_list(out, jget(e, "ports"));
        static const char *const mid[] = {"country",    "asn",      "org",        "company",
                                          "transfer",   "bytes_up", "bytes_down", "flows",
                                          "first_seen", "last_seen"};
        for (size_t i = 0; i < sizeof mid / sizeof mid[0]; i++)
            csv_value(out, e, mid[i], 0);
        static const char *const rk[] = {"connections", "interval_median_s", "interval_mad_s",
                                         "interval_min_s", "interval_max_s"};
        for (size_t i = 0; i < sizeof rk / sizeof rk[0]; i++)
            csv_value(out, rh, rk[i], 0);
        fputs("\r\n", out);
    }
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
