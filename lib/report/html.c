/* The HTML report (--format html): one self-contained page, CSS, SVG and a
 * small optional script inline, no request to any address (a
 * Content-Security-Policy forbids it).  Sections: the answer (the facts of
 * the text report's headline, dt_render_headline), a world map shaded by
 * upload (data/worldmap.txt, read at run time), bars per recipient and
 * hosting network, a timeline of connections per top recipient with its
 * rhythm, a flow diagram device -> country -> recipient, the tables (top N
 * rows), data quality, inputs and geo databases, and how to read it.
 * Every text of the report goes through esc(): names, certificate fields and
 * file names come from the capture and are attacker-controlled. */
#include "report/formats.h"
#include "report/html.h"
#include "report/render.h"
#include "report/report_int.h"

#include "enrich/enrich.h"
#include "enrich/geo.h"
#include "enrich/oui.h"
#include "util/clock.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTML_ROWS 200 /* rows per table without --top */
#define BARS 15       /* rows of each bar chart */
#define TL_ROWS 10    /* rows of the timeline */
#define TL_X 210      /* the timeline's plot: from x = TL_X, TL_W units wide */
#define TL_W 560
#define FD_DEVICES 6 /* nodes of the flow diagram per column */
#define FD_COUNTRIES 8
#define FD_RECIPIENTS 10
#define MAP_SHADES 5

typedef struct html {
    FILE *o;
    const dt_report *r;
    const dt_rollup *ru;
    size_t rows; /* rows per table, 0: all */
    dt_ru_totals t;
    /* the countries table, for the answer and the map */
    struct country {
        char code[3], name[64], transfer[24];
        uint64_t up, flows;
    } * cc;
    size_t n_cc;
} html;

/* ---- escaping: the only way text gets into the page ---- */

/* s as HTML text (content or a quoted attribute value): & < > " ' as
 * references, invalid UTF-8, control characters and noncharacters as U+FFFD,
 * U+2028 and U+2029 as references. */
static void esc(FILE *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    while (n) {
        uint32_t cp = 0;
        size_t l = dt_render_utf8(p, n, &cp);
        if (!l) {
            l = 1;
            cp = 0xfffd;
        }
        if (cp == '&')
            fputs("&amp;", o);
        else if (cp == '<')
            fputs("&lt;", o);
        else if (cp == '>')
            fputs("&gt;", o);
        else if (cp == '"')
            fputs("&quot;", o);
        else if (cp == '\'')
            fputs("&#39;", o);
        else if (cp == 0x2028 || cp == 0x2029)
            fprintf(o, "&#x%X;", (unsigned)cp);
        else if (cp == 0xfffd || (cp < 0x20 && cp != '\t' && cp != '\n') ||
                 (cp >= 0x7f && cp < 0xa0) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
                 (cp & 0xfffe) == 0xfffe)
            fputs("\xef\xbf\xbd", o);
        else
            fwrite(p, 1, l, o);
        p += l;
        n -= l;
    }
}

/* A formatted text, escaped. */
__attribute__((format(printf, 2, 3))) static void escf(FILE *o, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    esc(o, buf);
}

/* At most cps code points of s (a cut shows "…"), into buf. */
static const char *clip(const char *s, char *buf, size_t len, size_t cps)
{
    size_t o = 0, k = 0;
    s = s ? s : "";
    for (; s[o] && o + 4 < len; o++) {
        if (((unsigned char)s[o] & 0xc0) != 0x80 && k++ == cps) {
            memcpy(buf + o, "\xe2\x80\xa6", 3);
            buf[o + 3] = '\0';
            return buf;
        }
        buf[o] = s[o];
    }
    buf[o] = '\0';
    return buf;
}

/* Numbers (ASNs, ports, ids), each after prefix, joined with ", ": at most max. */
static void nums(FILE *o, const char *prefix, const uint64_t *v, size_t n, size_t max)
{
    for (size_t i = 0; i < n && i < max; i++)
        fprintf(o, "%s%s%llu", i ? ", " : "", prefix, (unsigned long long)v[i]);
    if (n > max)
        fprintf(o, " and %zu more", n - max);
}

static const char *bytes(uint64_t v, char *buf)
{
    return dt_render_bytes((double)v, buf, 32);
}

/* "250 ms", "60 s", "5.0 min", "2.0 h" */
static const char *secs_text(double s, char *buf, size_t len)
{
    if (s < 1)
        snprintf(buf, len, "%.0f ms", s * 1000);
    else if (s < 10)
        snprintf(buf, len, "%.1f s", s);
    else if (s < 120)
        snprintf(buf, len, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, len, "%.1f min", s / 60);
    else
        snprintf(buf, len, "%.1f h", s / 3600);
    return buf;
}

/* ---- the page's fixed parts ---- */

static const char css[] =
    ":root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--mute:#57606a;--line:#d0d7de;"
    "--land:#e6e8eb;--s1:#fde0c5;--s2:#facba6;--s3:#f59e72;--s4:#e8674a;--s5:#b8283a;"
    "--bar:#3d6fb6;--eea:#2e7d32;--third:#c62828;--adq:#b26a00}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mute:#9aa4ae;"
    "--line:#30363d;--land:#2a3038;--s1:#4a2f2a;--s2:#6e3a2c;--s3:#9c4a30;--s4:#cf6239;"
    "--s5:#f08a4b;--bar:#6ea8fe;--eea:#66bb6a;--third:#ef5350;--adq:#ffb74d}}\n"
    "body{font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);"
    "margin:0 auto;max-width:1100px;padding:0 16px 40px}\n"
    "h1{font-size:1.6em;margin:.8em 0 .3em}h2{font-size:1.25em;margin:1.6em 0 .4em;"
    "border-bottom:1px solid var(--line);padding-bottom:.2em}\n"
    ".answer{font-size:1.15em}.mute,.more{color:var(--mute)}.more{font-size:.9em}\n"
    "svg{width:100%;height:auto;display:block}svg text{fill:var(--fg);font-size:12px}\n"
    ".map path{fill:var(--land);stroke:var(--bg);stroke-width:.4}"
    ".map path.s1,.sw.s1{fill:var(--s1);background:var(--s1)}"
    ".map path.s2,.sw.s2{fill:var(--s2);background:var(--s2)}"
    ".map path.s3,.sw.s3{fill:var(--s3);background:var(--s3)}"
    ".map path.s4,.sw.s4{fill:var(--s4);background:var(--s4)}"
    ".map path.s5,.sw.s5{fill:var(--s5);background:var(--s5)}\n"
    ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px}"
    ".sw{display:inline-block;width:14px;height:14px;border:1px solid var(--line);"
    "vertical-align:-2px;margin-right:4px}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9em;margin:.4em 0}"
    "th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;"
    "vertical-align:top;overflow-wrap:break-word}th{background:var(--land)}"
    "td.n,th.n{text-align:right;white-space:nowrap}.wrap{overflow-x:auto}\n"
    ".bar{display:inline-block;height:.9em;background:var(--bar);margin-right:6px;"
    "vertical-align:-1px;min-width:1px}.bar.unid{background:repeating-linear-gradient(45deg,"
    "var(--bar) 0 3px,transparent 3px 6px);border:1px solid var(--bar)}"
    "td.barc{width:45%;white-space:nowrap}\n"
    ".tr-eea{color:var(--eea)}.tr-third_country{color:var(--third);font-weight:600}"
    ".tr-adequate,.tr-adequate_partial{color:var(--adq)}\n"
    ".tl path{stroke:var(--bar);stroke-width:1.4}.tl line{stroke:var(--line)}"
    ".fd path{fill:none;stroke:var(--bar);stroke-opacity:.35}.fd rect{fill:var(--s4)}\n"
    ".filter{margin:.3em 0;padding:2px 6px;font:inherit}th[data-sort]{cursor:pointer}\n"
    "@page{size:auto;margin:14mm}\n"
    "@media print{body{max-width:none;font-size:10pt;padding:0}section{break-before:page}"
    "section.first{break-before:auto}figure,tr{break-inside:avoid}.filter{display:none}"
    ":root{--fg:#000;--bg:#fff}}\n";

/* Optional: sorting (a click on a header) and a filter box per table. */
static const char script[] =
    "document.querySelectorAll('table.data').forEach(function(t){\n"
    "var b=t.tBodies[0];if(!b)return;\n"
    "var f=document.createElement('input');f.type='search';f.className='filter';\n"
    "f.placeholder='Filter rows';f.setAttribute('aria-label','Filter the rows of this table');\n"
    "t.parentNode.insertBefore(f,t);\n"
    "f.addEventListener('input',function(){var q=f.value.toLowerCase();\n"
    "Array.prototype.forEach.call(b.rows,function(r){\n"
    "r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});\n"
    "Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){\n"
    "th.setAttribute('data-sort','');th.tabIndex=0;var asc=false;\n"
    "function go(){asc=!asc;var rows=Array.prototype.slice.call(b.rows);\n"
    "rows.sort(function(x,y){var a=x.cells[i],c=y.cells[i];if(!a||!c)return 0;\n"
    "var u=a.getAttribute('data-v'),v=c.getAttribute('data-v');\n"
    "var d=u!==null&&v!==null?Number(u)-Number(v):a.textContent.localeCompare(c.textContent);\n"
    "return asc?d:-d;});rows.forEach(function(r){b.appendChild(r);});\n"
    "th.setAttribute('aria-sort',asc?'ascending':'descending');}\n"
    "th.addEventListener('click',go);\n"
    "th.addEventListener('keydown',function(e){if(e.key==='Enter')go();});});});\n";

/* 'sha256-...' of the script, for the Content-Security-Policy. */
static const char *script_hash(char *buf, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    if (!EVP_Digest(script, sizeof script - 1, md, &n, EVP_sha256(), NULL))
        return NULL;
    EVP_EncodeBlock(b64, md, (int)n);
    snprintf(buf, len, "'sha256-%s'", (const char *)b64);
    return buf;
}

/* ---- the countries table, kept for the answer and the map ---- */

static int keep_country(void *ctx, const void *row)
{
    html *h = ctx;
    const dt_ru_country *c = row;
    struct country *k = &h->cc[h->n_cc++];
    snprintf(k->code, sizeof k->code, "%s", c->code ? c->code : "");
    snprintf(k->name, sizeof k->name, "%s", c->name ? c->name : "");
    snprintf(k->transfer, sizeof k->transfer, "%s", c->transfer ? c->transfer : "");
    k->up = c->c.up;
    k->flows = c->c.flows;
    return 0;
}

static const struct country *country_of(const html *h, const char *code)
{
    for (size_t i = 0; i < h->n_cc; i++)
        if (!strcmp(h->cc[i].code, code))
            return &h->cc[i];
    return NULL;
}

static int leaves_eea(const char *transfer)
{
    return !strcmp(transfer, "third_country") || !strncmp(transfer, "adequate", 8);
}

/* ---- the answer ---- */

typedef struct top_names {
    html *h;
    int n;
    uint64_t all;
} top_names;

static int answer_recipient(void *ctx, const void *row)
{
    top_names *t = ctx;
    const dt_ru_company *c = row;
    char b[32], p[16];
    if (!c->c.up)
        return 1;
    fputs(t->n++ ? ", " : " Top recipients: ", t->h->o);
    fputs("<b>", t->h->o);
    esc(t->h->o, c->name);
    fputs("</b> ", t->h->o);
    escf(t->h->o, "(%s, %s)", bytes(c->c.up, b),
         dt_render_pct((double)c->c.up, (double)t->all, p, sizeof p));
    return 0;
}

static void fact(FILE *o, const char *text)
{
    if (!text[0])
        return;
    fputs("<li>", o);
    esc(o, text);
    fputs("</li>\n", o);
}

static void answer(html *h, const dt_render_model *m)
{
    FILE *o = h->o;
    dt_headline hl;
    dt_render_headline(m, &h->t, &hl);
    char b[32];
    fputs("<section class=\"first\" id=\"answer\">\n<h1>Where this device's data went</h1>\n"
          "<p class=\"answer\">",
          o);
    size_t devices = dt_rollup_rows(h->ru, DT_RU_DEVICES);
    if (devices > 1)
        escf(o, "In %s, %zu devices sent ", hl.inputs, devices);
    else
        escf(o, "In %s, the device sent ", hl.inputs);
    fputs("<b>", o);
    esc(o, bytes(h->t.bytes_up, b));
    fputs("</b> to <b>", o);
    escf(o, "%llu recipient%s", (unsigned long long)h->t.companies, h->t.companies == 1 ? "" : "s");
    fputs("</b> in <b>", o);
    escf(o, "%llu countr%s", (unsigned long long)h->t.countries, h->t.countries == 1 ? "y" : "ies");
    fputs("</b>. ", o);
    if (hl.located) {
        fputs("<b>", o);
        escf(o, "%s of the upload left the EU/EEA", hl.leaving);
        fputs("</b> ", o);
        escf(o, "(%s%s%s)", hl.leaving_detail, hl.unknown_share[0] ? "; " : "", hl.unknown_share);
        int n = 0;
        for (size_t i = 0; i < h->n_cc && n < 6; i++) {
            const struct country *c = &h->cc[i];
            if (!c->code[0] || !c->up || !leaves_eea(c->transfer))
                continue;
            fputs(n++ ? ", " : ", to ", o);
            escf(o, "%s (%s, %s)", c->name[0] ? c->name : c->code, c->code, bytes(c->up, b));
        }
        fputs(".", o);
    } else {
        escf(o, "Where it went is unknown (%s).", hl.leaving_detail);
    }
    top_names tn = {h, 0, h->t.bytes_up};
    dt_rollup_each(h->ru, DT_RU_COMPANIES, 3, answer_recipient, &tn);
    fputs(tn.n ? ".</p>\n" : "</p>\n", o);
    if (dt_personal_any(m->pd)) { /* issue 18 */
        char text[480];
        fputs("<p class=\"answer\"><b>Personal data sent in clear</b>: ", o);
        esc(o, dt_render_personal(m->pd, text, sizeof text));
        fputs("</p>\n", o);
    }
    fputs("<ul class=\"facts\">\n", o);
    fact(o, hl.counts);
    fact(o, hl.partial);
    fact(o, hl.encrypted);
    fact(o, hl.remote);
    fact(o, hl.recipients);
    fact(o, hl.parties);
    fact(o, hl.first_party);
    fact(o, hl.no_local);
    fputs("</ul>\n</section>\n", o);
}

/* ---- the map ---- */

static int shade_of(uint64_t up, uint64_t max)
{
    if (!up || !max)
        return 0;
    int s = MAP_SHADES;
    for (double lim = (double)max / 10; s > 1 && (double)up < lim; lim /= 10)
        s--;
    return s;
}

/* A path of the map file: M, l, z, digits, '.', '-' and spaces only. */
static int path_ok(const char *d)
{
    return d[0] == 'M' && strspn(d, "0123456789.-Mlz ") == strlen(d);
}

static void map_section(html *h)
{
    FILE *o = h->o;
    char path[4096], b[32], attribution[512] = "";
    fputs("<section id=\"map\">\n<h2>Where the servers are</h2>\n", o);
    snprintf(path, sizeof path, "%s/worldmap.txt", dt_data_dir());
    FILE *f = fopen(path, "r");
    if (!f) {
        fputs("<p class=\"note\">No map: ", o);
        escf(o, "%s was not found (the countries are in the table below).", path);
        fputs("</p>\n</section>\n", o);
        return;
    }
    uint64_t max = 0;
    for (size_t i = 0; i < h->n_cc; i++)
        if (h->cc[i].code[0] && h->cc[i].up > max)
            max = h->cc[i].up;
    char *line = NULL, *on_map = calloc(h->n_cc + 1, 1);
    size_t cap = 0;
    ssize_t len;
    int svg = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        unsigned vw = 0, vh = 0;
        if (line[0] == '#') {
            /* the header's lines 2.. are the attribution */
            if (strncmp(line, "# datatrail", 11) && strncmp(line, "# Projection", 12) &&
                strncmp(line, "# Antarctica", 12) && strlen(attribution) + strlen(line) < 500)
                strcat(strcat(attribution, attribution[0] ? " " : ""), line + 2);
            continue;
        }
        if (!svg && sscanf(line, "viewbox 0 0 %u %u", &vw, &vh) == 2) {
            fprintf(o,
                    "<figure>\n<svg class=\"map\" viewBox=\"0 0 %u %u\" role=\"img\" "
                    "aria-labelledby=\"map-title\"><title id=\"map-title\">World map: countries "
                    "shaded by the bytes the device sent to servers located there</title>\n",
                    vw, vh);
            svg = 1;
            continue;
        }
        if (!svg || strlen(line) < 4 || line[2] != ' ' || line[0] < 'A' || line[0] > 'Z' ||
            line[1] < 'A' || line[1] > 'Z' || !path_ok(line + 3))
            continue;
        char cc[3] = {line[0], line[1], 0};
        const struct country *c = country_of(h, cc);
        int s = c ? shade_of(c->up, max) : 0;
        const char *name = c && c->name[0] ? c->name : dt_geo_country_name(cc);
        if (c)
            on_map[c - h->cc] = 1;
        fprintf(o, "<path data-cc=\"%s\"", cc);
        if (s)
            fprintf(o, " class=\"s%d\"", s);
        fprintf(o, " d=\"%s\"><title>", line + 3);
        if (c)
            escf(o, "%s (%s): %s up, %llu flows", name ? name : cc, cc, bytes(c->up, b),
                 (unsigned long long)c->flows);
        else
            escf(o, "%s (%s)", name ? name : cc, cc);
        fputs("</title></path>\n", o);
    }
    free(line);
    fclose(f);
    if (!svg) {
        fputs("<p class=\"note\">No map: ", o);
        escf(o, "%s has no map data.", path);
        fputs("</p>\n", o);
    } else {
        fputs("</svg>\n<figcaption>\n<ul class=\"legend\">\n", o);
        for (int s = MAP_SHADES; s >= 1 && max; s--) {
            double lo = (double)max / pow(10, MAP_SHADES - s + 1);
            fprintf(o, "<li><span class=\"sw s%d\"></span>", s);
            if (s > 1)
                escf(o, "%s or more", dt_render_bytes(lo < 1 ? 1 : lo, b, sizeof b));
            else
                escf(o, "less than %s", dt_render_bytes(lo * 10, b, sizeof b));
            fputs("</li>\n", o);
        }
        fputs("<li><span class=\"sw\"></span>nothing sent</li>\n</ul>\n", o);
        int n = 0;
        for (size_t i = 0; i < h->n_cc; i++)
            if (h->cc[i].code[0] && !on_map[i]) {
                fputs(n++ ? ", " : "<p>Not on the map (too small at this scale): ", o);
                escf(o, "%s (%s, %s)", h->cc[i].name[0] ? h->cc[i].name : h->cc[i].code,
                     h->cc[i].code, bytes(h->cc[i].up, b));
            }
        fputs(n ? ".</p>\n" : "", o);
        fputs("<p class=\"mute\">", o);
        escf(o, "%s The bytes per country are in the Countries table.", attribution);
        fputs("</p>\n</figcaption>\n</figure>\n", o);
    }
    free(on_map);
    fputs("</section>\n", o);
}

/* ---- bars ---- */

typedef struct bars {
    html *h;
    uint64_t max;
} bars;

static void bar_cell(FILE *o, uint64_t v, uint64_t max, uint64_t all, int unidentified)
{
    char b[32], p[16];
    fprintf(o, "<td class=\"barc\"><span class=\"bar%s\" style=\"width:%.1f%%\"></span>",
            unidentified ? " unid" : "", max ? 65.0 * (double)v / (double)max : 0);
    escf(o, "%s (%s)", bytes(v, b), dt_render_pct((double)v, (double)all, p, sizeof p));
    fputs("</td></tr>\n", o);
}

static const char *evidence_text(unsigned mask, char *buf, size_t len)
{
    static const char *const words[] = {"entity list (domain)", "certificate organisation",
                                        "unidentified"};
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < 3; i++)
        if (mask & (1u << i)) {
            int w = snprintf(buf + k, len - k, "%s%s", k ? ", " : "", words[i]);
            if (w < 0 || (size_t)w >= len - k)
                break;
            k += (size_t)w;
        }
    return buf;
}

static int recipient_bar(void *ctx, const void *row)
{
    bars *x = ctx;
    const dt_ru_company *c = row;
    FILE *o = x->h->o;
    char ev[96];
    if (!x->max)
        x->max = c->c.up;
    fputs("<tr><td>", o);
    esc(o, c->name);
    fputs("</td><td>", o);
    esc(o, evidence_text(c->evidence, ev, sizeof ev));
    fputs("</td>", o);
    bar_cell(o, c->c.up, x->max, x->h->t.bytes_up, !c->identified);
    return 0;
}

static int host_bar(void *ctx, const void *row)
{
    bars *x = ctx;
    const dt_ru_host *n = row;
    FILE *o = x->h->o;
    if (!x->max)
        x->max = n->c.up;
    fputs("<tr><td>", o);
    esc(o, n->name);
    fputs("</td><td>", o);
    nums(o, "AS", n->asns, n->n_asns, 4);
    fputs("</td>", o);
    bar_cell(o, n->c.up, x->max, x->h->t.bytes_up, 0);
    return 0;
}

static void bar_chart(html *h, dt_ru_table t, const char *caption, const char *h1, const char *h2,
                      dt_ru_fn fn)
{
    FILE *o = h->o;
    size_t total = dt_rollup_rows(h->ru, t);
    if (!total)
        return;
    fputs("<table class=\"bars\"><caption>", o);
    esc(o, caption);
    fputs("</caption>\n<thead><tr><th>", o);
    esc(o, h1);
    fputs("</th><th>", o);
    esc(o, h2);
    fputs("</th><th>Sent (share of all upload)</th></tr></thead>\n<tbody>\n", o);
    bars x = {h, 0};
    dt_rollup_each(h->ru, t, BARS, fn, &x);
    fputs("</tbody></table>\n", o);
    if (total > BARS)
        fprintf(o, "<p class=\"more\">%zu more in the table below.</p>\n", total - BARS);
}

static void bars_section(html *h)
{
    fputs("<section id=\"bars\">\n<h2>Who received it</h2>\n", h->o);
    bar_chart(h, DT_RU_COMPANIES,
              "Recipients: the companies that operate the named services (hatched: "
              "unidentified)",
              "Recipient", "Evidence", recipient_bar);
    bar_chart(h, DT_RU_HOSTING, "Hosting networks: who runs the servers", "Network", "ASNs",
              host_bar);
    if (!dt_rollup_rows(h->ru, DT_RU_COMPANIES) && !dt_rollup_rows(h->ru, DT_RU_HOSTING))
        fputs("<p>No recipient or hosting network in this report.</p>\n", h->o);
    fputs("</section>\n", h->o);
}

/* ---- the timeline ---- */

typedef struct timeline {
    html *h;
    int n;
    char name[TL_ROWS][160];
    uint64_t up[TL_ROWS], connections[TL_ROWS], best[TL_ROWS];
    dt_ru_rhythm rhythm[TL_ROWS];
    double *bins; /* TL_ROWS x TL_W: bytes per column */
    uint64_t t0, span;
} timeline;

static int tl_recipient(void *ctx, const void *row)
{
    timeline *t = ctx;
    const dt_ru_company *c = row;
    if (!c->c.up)
        return 1;
    snprintf(t->name[t->n], sizeof t->name[0], "%s", c->name);
    t->up[t->n++] = c->c.up;
    return 0;
}

static int tl_endpoint(void *ctx, const void *row)
{
    timeline *t = ctx;
    const dt_ru_endpoint *e = row;
    if (!e->recipient)
        return 0;
    int k = 0;
    while (k < t->n && strcmp(t->name[k], e->recipient))
        k++;
    if (k == t->n)
        return 0;
    t->connections[k] += e->rhythm.connections;
    if (e->rhythm.have_intervals && e->rhythm.connections > t->best[k]) {
        t->best[k] = e->rhythm.connections;
        t->rhythm[k] = e->rhythm;
    }
    /* each kept start gets the endpoint's mean upload per connection */
    double each = e->n_starts ? (double)e->c.up / (double)e->n_starts : 0;
    for (size_t i = 0; i < e->n_starts; i++) {
        uint64_t s = e->starts[i] < t->t0 ? 0 : e->starts[i] - t->t0;
        size_t x = t->span ? (size_t)((double)s / (double)t->span * (TL_W - 1)) : 0;
        t->bins[(size_t)k * TL_W + (x < TL_W ? x : TL_W - 1)] += each;
    }
    return 0;
}

static void time_label(FILE *o, uint64_t ns, int digits, int with_date)
{
    char f[64];
    dt_format_time(ns, digits, f, sizeof f);
    /* "2022-10-24T08:15:02.123Z" */
    if (strlen(f) >= 19)
        fprintf(o, with_date ? "%.5s %.5s" : "%.8s", with_date ? f + 5 : f + 11,
                f + 11); /* digits only: no escaping needed */
}

static void timeline_section(html *h, const dt_render_model *m)
{
    FILE *o = h->o;
    fputs("<section id=\"timeline\">\n<h2>When: connections over the capture</h2>\n", o);
    timeline *t = calloc(1, sizeof *t);
    double *bins = t ? calloc((size_t)TL_ROWS * TL_W, sizeof *bins) : NULL;
    if (!t || !bins || !m->have_time || m->last_ns <= m->first_ns) {
        fputs("<p>No connection times in this report.</p>\n</section>\n", o);
        free(bins);
        free(t);
        return;
    }
    t->h = h;
    t->bins = bins;
    t->t0 = m->first_ns;
    t->span = m->last_ns - m->first_ns;
    dt_rollup_each(h->ru, DT_RU_COMPANIES, TL_ROWS, tl_recipient, t);
    dt_rollup_each(h->ru, DT_RU_ENDPOINTS, 0, tl_endpoint, t);
    double max = 0;
    for (size_t i = 0; i < (size_t)TL_ROWS * TL_W; i++)
        max = bins[i] > max ? bins[i] : max;
    int rowh = 30, top = 10, height = top + t->n * rowh + 30;
    fputs("<figure>\n", o);
    fprintf(o,
            "<svg class=\"tl\" viewBox=\"0 0 1000 %d\" role=\"img\" aria-labelledby=\"tl-title\">"
            "<title id=\"tl-title\">A mark per connection (its height: the bytes sent), one row "
            "per top recipient</title>\n",
            height);
    char b[32], s1[32], s2[32], lab[200];
    for (int k = 0; k < t->n; k++) {
        double y = top + k * rowh + rowh / 2.0;
        fprintf(o, "<g><title>");
        escf(o, "%s: %llu connection%s, %s sent", t->name[k], (unsigned long long)t->connections[k],
             t->connections[k] == 1 ? "" : "s", bytes(t->up[k], b));
        fprintf(o, "</title><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", TL_X - 8, y + 4);
        esc(o, clip(t->name[k], lab, sizeof lab, 28));
        fprintf(o, "</text><line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/><path d=\"", TL_X,
                TL_X + TL_W, y, y);
        for (int x = 0; x < TL_W; x++) {
            double v = bins[(size_t)k * TL_W + (size_t)x];
            if (v <= 0)
                continue;
            double len = 3 + 21 * (max > 0 ? sqrt(v / max) : 0);
            fprintf(o, "M%d %.1fv%.1f", TL_X + x, y - len / 2, len);
        }
        fprintf(o, "\"/><text x=\"%d\" y=\"%.1f\">", TL_X + TL_W + 10, y + 4);
        if (t->best[k])
            escf(o, "every %s (\xc2\xb1%s), %llu conn.",
                 secs_text(t->rhythm[k].median_s, s1, sizeof s1),
                 secs_text(t->rhythm[k].mad_s, s2, sizeof s2),
                 (unsigned long long)t->connections[k]);
        else
            escf(o, "%llu connection%s", (unsigned long long)t->connections[k],
                 t->connections[k] == 1 ? "" : "s");
        fputs("</text></g>\n", o);
    }
    int with_date = t->span > 86400ull * 1000000000ull;
    for (int i = 0; i <= 4; i++) {
        int x = TL_X + i * (TL_W - 1) / 4;
        fprintf(o,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/><text x=\"%d\" y=\"%d\" "
                "text-anchor=\"%s\">",
                x, x, top + t->n * rowh, top + t->n * rowh + 5, x, top + t->n * rowh + 18,
                i == 0   ? "start"
                : i == 4 ? "end"
                         : "middle");
        time_label(o, m->first_ns + t->span / 4 * (uint64_t)i, m->ts_digits, with_date);
        fputs("</text>\n", o);
    }
    fputs("</svg>\n<figcaption>", o);
    escf(o,
         "Time in UTC. Beside each row: the rhythm of its busiest server (median interval between "
         "connections and its median deviation) and the connections in all. A mark's height "
         "grows with the bytes sent in that moment (each connection counted with its server's "
         "mean upload per connection).");
    if (!t->n)
        escf(o, " No recipient received data.");
    fputs("</figcaption>\n</figure>\n</section>\n", o);
    free(bins);
    free(t);
}

/* ---- the flow diagram: device -> country -> recipient ---- */

typedef struct fd_node {
    char name[64], label[160];
    uint64_t up;
    double y, h, out, in; /* position, height; offsets of the links drawn */
} fd_node;

typedef struct flowdiag {
    html *h;
    fd_node dev[FD_DEVICES], cc[FD_COUNTRIES], rc[FD_RECIPIENTS];
    int n_dev, n_cc, n_rc;
    double scale;
    /* links: a column pair, the two nodes, bytes */
    struct fd_link {
        int col, a, b;
        uint64_t v;
    } link[FD_DEVICES * FD_COUNTRIES + FD_COUNTRIES * FD_RECIPIENTS];
    int n_link;
} flowdiag;

static int fd_find(const fd_node *v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].name, name))
            return i;
    return -1;
}

static int fd_device(void *ctx, const void *row)
{
    flowdiag *d = ctx;
    const dt_ru_device *v = row;
    if (!v->c.up)
        return 1;
    fd_node *n = &d->dev[d->n_dev++];
    const char *vendor = v->mac ? dt_oui_vendor(v->mac) : NULL;
    snprintf(n->name, sizeof n->name, "%s", v->device);
    snprintf(n->label, sizeof n->label, "%s%s%s%s",
             v->addresses.n ? v->addresses.v[0].key : v->device, vendor ? " (" : "",
             vendor ? vendor : "", vendor ? ")" : "");
    n->up = v->c.up;
    return 0;
}

static int fd_recipient(void *ctx, const void *row)
{
    flowdiag *d = ctx;
    const dt_ru_company *c = row;
    if (!c->c.up)
        return 1;
    fd_node *n = &d->rc[d->n_rc++];
    snprintf(n->name, sizeof n->name, "%s", c->name);
    snprintf(n->label, sizeof n->label, "%s", c->name);
    n->up = c->c.up;
    return 0;
}

/* The links of row's countries (keys with bytes) from node a of column col. */
static void fd_links(flowdiag *d, int col, int a, const dt_ru_keys *k)
{
    for (size_t i = 0; i < k->n; i++) {
        int b = fd_find(d->cc, d->n_cc, k->v[i].key);
        if (b < 0 || !k->v[i].bytes_up)
            continue;
        d->link[d->n_link++] = (struct fd_link){col, a, b, k->v[i].bytes_up};
    }
}

static int fd_device_links(void *ctx, const void *row)
{
    flowdiag *d = ctx;
    const dt_ru_device *v = row;
    int a = fd_find(d->dev, d->n_dev, v->device);
    if (a >= 0)
        fd_links(d, 0, a, &v->countries);
    return 0;
}

static int fd_recipient_links(void *ctx, const void *row)
{
    flowdiag *d = ctx;
    const dt_ru_company *c = row;
    int a = fd_find(d->rc, d->n_rc, c->name);
    if (a >= 0)
        fd_links(d, 1, a, &c->countries);
    return 0;
}

#define FD_H 360.0
#define FD_GAP 10.0
#define FD_NODE 12
#define FD_LABEL 16.0

static double fd_column_scale(const fd_node *v, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += (double)v[i].up;
    return sum > 0 ? (FD_H - FD_GAP * (n > 1 ? n - 1 : 0)) / sum : 0;
}

/* Stacks a column's nodes (each at least FD_LABEL high, for its label);
 * returns the bottom. */
static double fd_place(fd_node *v, int n, double scale)
{
    double y = 20;
    for (int i = 0; i < n; i++) {
        v[i].y = y;
        v[i].h = (double)v[i].up * scale < 1 ? 1 : (double)v[i].up * scale;
        y += (v[i].h < FD_LABEL ? FD_LABEL : v[i].h) + FD_GAP;
    }
    return y;
}

static void fd_nodes(FILE *o, const fd_node *v, int n, int x, int label_left)
{
    char b[32], lab[200];
    for (int i = 0; i < n; i++) {
        fprintf(o, "<g><title>");
        escf(o, "%s: %s sent", v[i].label, bytes(v[i].up, b));
        fprintf(o, "</title><rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>", x, v[i].y,
                FD_NODE, v[i].h);
        fprintf(o, "<text x=\"%d\" y=\"%.1f\"%s>", label_left ? x - 6 : x + FD_NODE + 6,
                v[i].y + v[i].h / 2 + 4, label_left ? " text-anchor=\"end\"" : "");
        escf(o, "%s %s", clip(v[i].label, lab, sizeof lab, 30), bytes(v[i].up, b));
        fputs("</text></g>\n", o);
    }
}

static void flow_section(html *h)
{
    FILE *o = h->o;
    fputs("<section id=\"flow\">\n<h2>From the device, through countries, to recipients</h2>\n", o);
    flowdiag *d = calloc(1, sizeof *d);
    if (!d) {
        fputs("</section>\n", o);
        return;
    }
    d->h = h;
    dt_rollup_each(h->ru, DT_RU_DEVICES, FD_DEVICES, fd_device, d);
    for (size_t i = 0; i < h->n_cc && d->n_cc < FD_COUNTRIES; i++)
        if (h->cc[i].code[0] && h->cc[i].up) {
            fd_node *n = &d->cc[d->n_cc++];
            snprintf(n->name, sizeof n->name, "%s", h->cc[i].code);
            snprintf(n->label, sizeof n->label, "%s",
                     h->cc[i].name[0] ? h->cc[i].name : h->cc[i].code);
            n->up = h->cc[i].up;
        }
    dt_rollup_each(h->ru, DT_RU_COMPANIES, FD_RECIPIENTS, fd_recipient, d);
    if (!d->n_dev || !d->n_cc || !d->n_rc) {
        fputs("<p>Not enough located, named traffic for a diagram.</p>\n</section>\n", o);
        free(d);
        return;
    }
    double s = fd_column_scale(d->dev, d->n_dev), s2 = fd_column_scale(d->cc, d->n_cc),
           s3 = fd_column_scale(d->rc, d->n_rc);
    d->scale = s < s2 ? (s < s3 ? s : s3) : (s2 < s3 ? s2 : s3);
    double bottom = fd_place(d->dev, d->n_dev, d->scale), b2 = fd_place(d->cc, d->n_cc, d->scale),
           b3 = fd_place(d->rc, d->n_rc, d->scale);
    bottom = bottom > b2 ? bottom : b2;
    bottom = bottom > b3 ? bottom : b3;
    dt_rollup_each(h->ru, DT_RU_DEVICES, FD_DEVICES, fd_device_links, d);
    dt_rollup_each(h->ru, DT_RU_COMPANIES, FD_RECIPIENTS, fd_recipient_links, d);
    const int xs[3] = {170, 480, 790};
    fprintf(o,
            "<figure>\n<svg class=\"fd\" viewBox=\"0 0 1000 %.0f\" role=\"img\" "
            "aria-labelledby=\"fd-title\"><title id=\"fd-title\">Bytes sent from each device to "
            "each country and from each country to each recipient</title>\n",
            bottom + 10);
    char b[32];
    for (int i = 0; i < d->n_link; i++) {
        struct fd_link *l = &d->link[i];
        /* column 0: device a -> country b; column 1: country b -> recipient a */
        fd_node *from = l->col ? &d->cc[l->b] : &d->dev[l->a];
        fd_node *to = l->col ? &d->rc[l->a] : &d->cc[l->b];
        double w = (double)l->v * d->scale;
        double y0 = from->y + from->out + w / 2, y1 = to->y + to->in + w / 2;
        from->out += w;
        to->in += w;
        double x0 = xs[l->col] + FD_NODE, x1 = xs[l->col + 1], xm = (x0 + x1) / 2;
        fprintf(
            o, "<path d=\"M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f\" stroke-width=\"%.1f\"><title>",
            x0, y0, xm, y0, xm, y1, x1, y1, w < 1 ? 1 : w);
        escf(o, "%s \xe2\x86\x92 %s: %s", from->label, to->label, bytes(l->v, b));
        fputs("</title></path>\n", o);
    }
    fd_nodes(o, d->dev, d->n_dev, xs[0], 1);
    fd_nodes(o, d->cc, d->n_cc, xs[1], 0);
    fd_nodes(o, d->rc, d->n_rc, xs[2], 0);
    fputs("</svg>\n<figcaption>", o);
    escf(o,
         "The top %d devices, %d countries and %d recipients by bytes sent; a band's width is "
         "the bytes. The numbers are in the Devices, Countries and Recipients tables.",
         FD_DEVICES, FD_COUNTRIES, FD_RECIPIENTS);
    fputs("</figcaption>\n</figure>\n</section>\n", o);
    free(d);
}

/* ---- tables ---- */

/* The header row: column names separated by '|', '#' before a numeric one. */
static void table_open(html *h, const char *id, const char *title, const char *cols)
{
    FILE *o = h->o;
    fprintf(o, "<h3 id=\"%s\">", id);
    esc(o, title);
    fputs("</h3>\n<div class=\"wrap\"><table class=\"data\"><thead><tr>", o);
    while (*cols) {
        size_t n = strcspn(cols, "|");
        int num = cols[0] == '#';
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(n - (size_t)num), cols + num);
        fputs(num ? "<th class=\"n\">" : "<th>", o);
        esc(o, name);
        fputs("</th>", o);
        cols += n + (cols[n] == '|');
    }
    fputs("</tr></thead>\n<tbody>\n", o);
}

static void table_close(html *h, size_t total, const char *what)
{
    fputs("</tbody></table></div>\n", h->o);
    if (h->rows && total > h->rows) {
        fputs("<p class=\"more\">", h->o);
        escf(h->o, "%zu more %s left out (--top N, --all); the JSON report has all %zu.",
             total - h->rows, what, total);
        fputs("</p>\n", h->o);
    }
}

static void td(FILE *o, const char *s)
{
    fputs("<td>", o);
    esc(o, s);
    fputs("</td>", o);
}

static void td_num(FILE *o, uint64_t v)
{
    fprintf(o, "<td class=\"n\" data-v=\"%llu\">%llu</td>", (unsigned long long)v,
            (unsigned long long)v);
}

static void td_bytes(FILE *o, uint64_t v)
{
    char b[32];
    fprintf(o, "<td class=\"n\" data-v=\"%llu\">", (unsigned long long)v);
    esc(o, bytes(v, b));
    fputs("</td>", o);
}

static void td_counts(FILE *o, const dt_ru_counts *c)
{
    td_bytes(o, c->up);
    td_bytes(o, c->down);
    td_num(o, c->flows);
}

/* The keys of a nested table, joined with ", ". */
static void td_keys(FILE *o, const dt_ru_keys *k, size_t max)
{
    fputs("<td>", o);
    for (size_t i = 0; i < k->n && i < max; i++) {
        fputs(i ? ", " : "", o);
        esc(o, k->v[i].key);
    }
    if (k->n > max)
        fprintf(o, " and %zu more", k->n - max);
    fputs("</td>", o);
}

static void td_transfer(FILE *o, const char *t)
{
    fprintf(o, "<td class=\"tr-%s\">",
            t && strspn(t, "abcdefghijklmnopqrstuvwxyz_") == strlen(t) ? t : "unknown");
    esc(o, dt_render_transfer_label(t));
    fputs("</td>", o);
}

static int device_row(void *ctx, const void *row)
{
    FILE *o = ctx;
    const dt_ru_device *d = row;
    const char *vendor = d->mac ? dt_oui_vendor(d->mac) : NULL;
    fputs("<tr>", o);
    td(o, d->device);
    td_keys(o, &d->addresses, 8);
    td(o, vendor ? vendor : d->mac ? "unknown maker" : "-");
    td_counts(o, &d->c);
    td_keys(o, &d->recipients, 8);
    td_keys(o, &d->countries, 12);
    fputs("</tr>\n", o);
    return 0;
}

static int process_row(void *ctx, const void *row)
{
    FILE *o = ctx;
    const dt_ru_process *p = row;
    fputs("<tr>", o);
    td(o, p->name[0] ? p->name : "-");
    fputs("<td>", o);
    if (p->n_pids)
        nums(o, "pid ", p->pids, p->n_pids, 10);
    else
        nums(o, "uid ", p->uids, p->n_uids, 10);
    fputs("</td>", o);
    td_counts(o, &p->c);
    td_keys(o, &p->countries, 12);
    fputs("</tr>\n", o);
    return 0;
}

static int company_row(void *ctx, const void *row)
{
    FILE *o = ctx;
    const dt_ru_company *c = row;
    char ev[96];
    fputs("<tr>", o);
    td(o, c->name);
    td(o, dt_render_party_label(c->party));
    td(o, evidence_text(c->evidence, ev, sizeof ev));
    td(o, c->category ? c->category : "-");
    td_keys(o, &c->countries, 12);
    td_counts(o, &c->c);
    td_keys(o, &c->domains, 8);
    fputs("</tr>\n", o);
    return 0;
}

static int host_row(void *ctx, const void *row)
{
    FILE *o = ctx;
    const dt_ru_host *n = row;
    fputs("<tr>", o);
    td(o, n->name);
    td(o, n->category ? n->category : "-");
    fputs("<td>", o);
    nums(o, "", n->asns, n->n_asns, 12);
    fputs("</td>", o);
    td_keys(o, &n->countries, 12);
    td_counts(o, &n->c);
    td_keys(o, &n->recipients, 8);
    fputs("</tr>\n", o);
    return 0;
}

static int country_row(void *ctx, const void *row)
{
    FILE *o = ctx;
    const dt_ru_country *c = row;
    int known = c->code && c->code[0];
    fputs("<tr>", o);
    td(o, known ? (c->name ? c->name : c->code) : "(unknown)");
    td(o, known ? c->code : "-");
    td_transfer(o, known ? c->transfer : NULL);
    td_counts(o, &c->c);
    td_num(o, c->endpoints);
    td_keys(o, &c->top_domains, DT_ROLLUP_TOP);
    fputs("</tr>\n", o);
    return 0;
}

static int domain_row(void *ctx, const void *row)
{
    FILE *o = ctx;
    const dt_ru_domain *d = row;
    fputs("<tr>", o);
    td(o, d->domain);
    td(o, d->recipient ? d->recipient : "-");
    td_keys(o, &d->countries, 12);
    td_counts(o, &d->c);
    td_keys(o, &d->names, 6);
    fputs("</tr>\n", o);
    return 0;
}

static int endpoint_row(void *ctx, const void *row)
{
    FILE *o = ctx;
    const dt_ru_endpoint *e = row;
    char s1[32], s2[32];
    fputs("<tr>", o);
    td(o, e->ip);
    td_keys(o, &e->names, 4);
    fputs("<td>", o);
    nums(o, "", e->ports, e->n_ports, 8);
    fputs("</td>", o);
    td(o, e->country && e->country[0] ? e->country : "-");
    if (e->have_asn)
        td_num(o, e->asn);
    else
        td(o, "-");
    td(o, e->org ? e->org : "-");
    td(o, e->recipient ? e->recipient : "-");
    td(o, e->host ? e->host : "-");
    td_transfer(o, e->transfer);
    td_counts(o, &e->c);
    fputs("<td>", o);
    if (e->rhythm.have_intervals)
        escf(o, "every %s (\xc2\xb1%s)", secs_text(e->rhythm.median_s, s1, sizeof s1),
             secs_text(e->rhythm.mad_s, s2, sizeof s2));
    fputs("</td></tr>\n", o);
    return 0;
}

static int plain_row(void *ctx, const void *row)
{
    FILE *o = ctx;
    const dt_ru_plain *p = row;
    fputs("<tr>", o);
    td(o, p->destination);
    td_num(o, (uint64_t)p->port);
    td(o, p->app);
    td_counts(o, &p->c);
    fputs("</tr>\n", o);
    return 0;
}

static void table(html *h, dt_ru_table t, const char *id, const char *title, const char *cols,
                  dt_ru_fn fn, const char *what)
{
    size_t total = dt_rollup_rows(h->ru, t);
    if (!total && t == DT_RU_PROCESSES)
        return;
    table_open(h, id, title, cols);
    dt_rollup_each(h->ru, t, h->rows, fn, h->o);
    table_close(h, total, what);
}

static void tables_section(html *h)
{
    fputs("<section id=\"tables\">\n<h2>The tables</h2>\n", h->o);
    table(h, DT_RU_DEVICES, "t-devices", "Devices (the local side)",
          "Device|Addresses|MAC maker|#Up|#Down|#Flows|Recipients|Countries", device_row,
          "devices");
    table(h, DT_RU_PROCESSES, "t-processes", "Processes (apps of the capturing host)",
          "Process|Ids|#Up|#Down|#Flows|Countries", process_row, "processes");
    table(h, DT_RU_COMPANIES, "t-recipients", "Recipients (who operates the named services)",
          "Recipient|Party|Evidence|Category|Countries|#Up|#Down|#Flows|Domains", company_row,
          "recipients");
    table(h, DT_RU_HOSTING, "t-hosting", "Hosting networks (who runs the servers)",
          "Network|Category|ASNs|Countries|#Up|#Down|#Flows|Recipients", host_row, "networks");
    table(h, DT_RU_COUNTRIES, "t-countries", "Countries (where the servers are)",
          "Country|Code|Transfer|#Up|#Down|#Flows|#Addresses|Top domains", country_row,
          "countries");
    table(h, DT_RU_DOMAINS, "t-domains", "Domains",
          "Domain|Recipient|Countries|#Up|#Down|#Flows|Names", domain_row, "domains");
    table(h, DT_RU_ENDPOINTS, "t-endpoints", "Servers (remote addresses)",
          "Address|Names|Ports|Country|#ASN|Organisation|Recipient|Host|Transfer|#Up|#Down|#Flows|"
          "Rhythm",
          endpoint_row, "servers");
    table(h, DT_RU_PLAIN, "t-plaintext", "Sent without encryption",
          "Destination|#Port|App|#Up|#Down|#Flows", plain_row, "destinations");
    fputs("</section>\n", h->o);
}

/* ---- data quality, inputs, how to read ---- */

typedef struct quality {
    FILE *o;
    int n;
} quality;

static void quality_item(void *ctx, const char *line)
{
    quality *q = ctx;
    fact(q->o, line);
    q->n++;
}

static void quality_section(html *h, const dt_render_model *m)
{
    fputs("<section id=\"quality\">\n<h2>Data quality</h2>\n<ul>\n", h->o);
    quality q = {h->o, 0};
    dt_render_quality(m, &h->t, quality_item, &q);
    if (!q.n)
        fputs("<li>Nothing to report: every input was read whole and no limit was reached.</li>\n",
              h->o);
    fputs("</ul>\n</section>\n", h->o);
}

static void geo_row(void *ctx, const dt_geo_rec *g)
{
    FILE *o = ctx;
    fputs("<tr>", o);
    td(o, g->v[0]);
    td(o, g->v[1]);
    td(o, g->v[2]);
    td(o, g->v[4] ? g->v[4] : "-");
    td(o, g->v[5] ? g->v[5] : "-");
    fputs("</tr>\n", o);
}

static void inputs_section(html *h)
{
    FILE *o = h->o;
    const dt_report *r = h->r;
    fputs("<section id=\"inputs\">\n<h2>Inputs and geo databases</h2>\n", o);
    table_open(h, "t-inputs", "Captures",
               "File|Format|Link types|#Packets|First seen|Last seen|#Flows|#Errors");
    for (size_t i = 0; i < r->n_inputs; i++) {
        const dt_input_rec *in = &r->inputs[i];
        fputs("<tr>", o);
        td(o, in->path);
        td(o, in->format ? in->format : "-");
        fputs("<td>", o);
        for (int k = 0; k < in->n_link_types; k++) {
            fputs(k ? ", " : "", o);
            esc(o, in->link_types[k]);
        }
        fputs("</td>", o);
        td_num(o, in->packets);
        td(o, in->first_seen ? in->first_seen : "-");
        td(o, in->last_seen ? in->last_seen : "-");
        td_num(o, in->flows);
        td_num(o, (uint64_t)in->n_errors);
        fputs("</tr>\n", o);
    }
    table_close(h, 0, NULL);
    table_open(h, "t-geo", "Geo databases", "File|Kind|Type|Built|Attribution and licence");
    dt_report_each_geo(r, geo_row, o);
    table_close(h, 0, NULL);
    fputs("<p class=\"mute\">", o);
    escf(o, "Made by datatrail %s.", DT_VERSION);
    fputs("</p>\n</section>\n", o);
}

static const char how_to_read[] =
    "<section id=\"how\">\n<h2>How to read this report</h2>\n<dl>\n"
    "<dt>Up, Down</dt><dd>Bytes the device sent (up) and received (down), counted at the IP "
    "layer; kB = 1000 bytes, MB = 1000 kB.</dd>\n"
    "<dt>Recipient</dt><dd>The company that operates a named service, found from the server "
    "name (an entity list) or from the organisation of its TLS certificate; "
    "<em>unidentified</em> when neither names one. Party: <em>first</em> = the device's "
    "maker, <em>support</em> = services acting for it, <em>third</em> = everyone else.</dd>\n"
    "<dt>Hosting network</dt><dd>Who runs the servers (by ASN): a cloud or CDN, not "
    "necessarily the one who receives the data.</dd>\n"
    "<dt>Transfer</dt><dd><em>EU/EEA</em>; <em>adequate</em>: a country with an EU adequacy "
    "decision (<em>partial</em>: only for some recipients); <em>third country</em>: neither; "
    "<em>unknown</em>: no country found. It goes by where the server is located, which may "
    "differ from where its address is registered.</dd>\n"
    "<dt>Rhythm</dt><dd>The median time between connections to one server and its median "
    "deviation: a small deviation means a regular beacon.</dd>\n"
    "<dt>Names</dt><dd>Server names come from the capture (TLS and QUIC SNI, HTTP Host, DNS "
    "answers, certificates) without decrypting anything; they are shown as found.</dd>\n"
    "</dl>\n<p>Tables hold at most the top rows by bytes sent (--top N, --all); totals are "
    "always exact and the JSON report (-f json) has every row.</p>\n</section>\n";

/* ---- the page frame, also for other pages (compare) ---- */

void dt_html_begin(FILE *o, const char *title)
{
    char hash[128];
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", o);
    fprintf(o,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src %s; img-src data:\">\n",
            script_hash(hash, sizeof hash) ? hash : "'none'");
    fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"datatrail\">\n<title>",
          o);
    esc(o, title);
    fprintf(o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
}

void dt_html_end(FILE *o)
{
    fprintf(o, "<script>%s</script>\n</body>\n</html>\n", script);
}

void dt_html_esc(FILE *o, const char *s)
{
    esc(o, s);
}

void dt_html_td_bytes(FILE *o, uint64_t v)
{
    td_bytes(o, v);
}

int dt_report_write_html(dt_report *r, const dt_warning *warnings, size_t n_warnings)
{
    html h = {r->out, r, r->ru, 0, {0}, NULL, 0};
    h.rows = r->opts.top < 0 ? 0 : r->opts.top ? (size_t)r->opts.top : HTML_ROWS;
    dt_render_model m = dt_report_render_model(r, warnings, n_warnings);
    dt_rollup_totals(r->ru, &h.t);
    h.cc = calloc(dt_rollup_rows(r->ru, DT_RU_COUNTRIES) + 1, sizeof *h.cc);
    if (!h.cc)
        return -1;
    dt_rollup_each(r->ru, DT_RU_COUNTRIES, 0, keep_country, &h);
    FILE *o = h.o;
    dt_headline hl;
    dt_render_headline(&m, &h.t, &hl);
    char title[320];
    snprintf(title, sizeof title, "datatrail report: %s", hl.inputs);
    dt_html_begin(o, title);
    answer(&h, &m);
    map_section(&h);
    bars_section(&h);
    timeline_section(&h, &m);
    flow_section(&h);
    tables_section(&h);
    quality_section(&h, &m);
    inputs_section(&h);
    fputs(how_to_read, o);
    dt_html_end(o);
    free(h.cc);
    return fflush(o) != 0 || ferror(o) ? -1 : 0;
}
