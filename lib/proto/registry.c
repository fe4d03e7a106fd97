/* The registry of application parsers.
 *
 * HOW TO ADD A PROTOCOL
 *   1. One file, lib/proto/<proto>.c (with <proto>.h for its pure parser):
 *      - the parser: a pure function over (const uint8_t *, size_t) reading
 *        through lib/util/cursor.h, answering DT_PARSE_NOT_MINE / MORE / DONE
 *        (lib/proto/parse.h);
 *      - its parse wrapper: gets the flow's result with
 *        dt_parser_result(in, dt_parser_slot(in->id)), calls the parser, and
 *        names the flow with dt_flow_app_set(in->x, dt_parser_app(in->id));
 *      - a JSON writer for the result, if the flow object shows it;
 *      - its entry:
 *          const dt_parser dt_parser_<proto> = {
 *              .name = "<proto>", .transport = DT_TRANSPORT_TCP,
 *              .dirs = DT_DIRS_CLIENT, .ports = {1234},
 *              .parse = parse, .result_size = sizeof(struct <proto>_info),
 *              .DT_PARSER_JSON_KEY("<proto>"), .json = json_write,
 *              .app_name = "<proto>"};
 *   2. One table entry: X(<ID>, dt_parser_<proto>, 1) in DT_PARSERS
 *      (lib/proto/registry.h) where its turn comes: parsers see a flow's
 *      bytes, and their keys are written in the flow object, in table order.
 *   3. Its tests: tests/unit/test_<proto>.c for the parser, a crafted capture
 *      in tests/cases.py; its JSON documented in docs/report-schema.md.
 *   Nothing else changes: the dispatch, the "buffer full" rule, the per-flow
 *   state limit, freeing and the flow object's JSON all go by the table.
 *   tests/unit/test_registry.c adds a toy protocol this way (through
 *   dt_parsers_add, the same entry added at run time).
 *
 * What the dispatch (lib/proto/apps.c) does with the table:
 *   - when a flow gets parser state, each direction gets a bit mask of the
 *     parsers of its transport and direction whose port hints match; a
 *     DT_PF_CLAIM parser whose ports match is then the only one;
 *   - each new TCP prefix or UDP datagram goes to the parsers still in the
 *     mask, in table order; NOT_MINE or DONE takes a parser out of both
 *     directions' masks (nothing is allocated per packet, finished parsers
 *     cost nothing);
 *   - one "buffer full" rule: a parser still reading a direction whose
 *     reassembly buffer is full never gets more bytes: it counts as NOT_MINE;
 *   - a TCP direction no parser reads any more stops buffering.
 */
#include "proto/registry.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

const dt_parser *dt_parser_table[DT_PARSER_MAX] = {
#define DT_X_ENTRY(id, entry, r) [DT_PARSER_##id] = &entry,
    DT_PARSERS(DT_X_ENTRY)
#undef DT_X_ENTRY
};

#define DT_SLOT_0(id) -1
#define DT_SLOT_1(id) DT_RESULT_##id
static int8_t slots[DT_PARSER_MAX] = {
#define DT_X_SLOT(id, entry, r) [DT_PARSER_##id] = DT_SLOT_##r(id),
    DT_PARSERS(DT_X_SLOT)
#undef DT_X_SLOT
};

/* The parser of each result slot. */
#define DT_OWNER_0(id)
#define DT_OWNER_1(id) [DT_RESULT_##id] = DT_PARSER_##id,
static int8_t owners[DT_RESULT_MAX] = {
#define DT_X_OWNER(id, entry, r) DT_OWNER_##r(id)
    DT_PARSERS(DT_X_OWNER)
#undef DT_X_OWNER
};

int dt_parser_n = DT_PARSER_BUILTIN;
static int n_slots = DT_RESULT_BUILTIN;

_Static_assert(DT_PARSER_MAX <= 32, "dt_flow_app.active holds one bit per parser");
_Static_assert(DT_PARSER_APP_BASE + DT_PARSER_MAX <= 255,
               "dt_flow_app.app holds the apps of added parsers");

int dt_parser_slot(int id)
{
    return slots[id];
}

/* Per transport (index DT_TRANSPORT_*): per direction, the parsers without
 * port hints, and the ids of those with some (computed once, and again when
 * a parser is added). */
static struct {
    uint32_t any[2];
    uint8_t hinted[DT_PARSER_MAX];
    int n_hinted;
} by_transport[3];
static uint32_t passive, with_end;
static pthread_once_t by_transport_once = PTHREAD_ONCE_INIT;

static void by_transport_init(void)
{
    memset(by_transport, 0, sizeof by_transport);
    passive = with_end = 0;
    for (int id = 0; id < dt_parser_n; id++) {
        const dt_parser *p = dt_parser_table[id];
        if (p->flags & DT_PF_PASSIVE)
            passive |= 1u << id;
        if (p->end)
            with_end |= 1u << id;
        if (p->ports[0]) {
            by_transport[p->transport].hinted[by_transport[p->transport].n_hinted++] = (uint8_t)id;
            continue;
        }
        for (int d = 0; d < 2; d++)
            if (p->dirs & (1 << d))
                by_transport[p->transport].any[d] |= 1u << id;
    }
}

int dt_result_count(void)
{
    return n_slots;
}

const dt_parser *dt_result_parser(int slot)
{
    return dt_parser_table[owners[slot]];
}

int dt_parsers_add(const dt_parser *p)
{
    if (dt_parser_n == DT_PARSER_MAX || (p->result_size && n_slots == DT_RESULT_MAX))
        return -1;
    dt_parser_table[dt_parser_n] = p;
    slots[dt_parser_n] = -1;
    if (p->result_size) {
        owners[n_slots] = (int8_t)dt_parser_n;
        slots[dt_parser_n] = (int8_t)n_slots++;
    }
    dt_parser_n++;
    pthread_once(&by_transport_once, by_transport_init);
    by_transport_init();
    return dt_parser_n - 1;
}

void dt_parsers_reset(void)
{
    for (int id = DT_PARSER_BUILTIN; id < dt_parser_n; id++)
        dt_parser_table[id] = NULL;
    dt_parser_n = DT_PARSER_BUILTIN;
    n_slots = DT_RESULT_BUILTIN;
    pthread_once(&by_transport_once, by_transport_init);
    by_transport_init();
}

int dt_parser_app(int id)
{
    return DT_PARSER_APP_BASE + id;
}

const char *dt_parser_app_name(int app)
{
    int id = app - DT_PARSER_APP_BASE;
    return id >= 0 && id < dt_parser_n ? dt_parser_table[id]->app_name : NULL;
}

uint32_t dt_parsers_passive(void)
{
    pthread_once(&by_transport_once, by_transport_init);
    return passive;
}

uint32_t dt_parsers_with_end(void)
{
    pthread_once(&by_transport_once, by_transport_init);
    return with_end;
}

int dt_parser_ports_match(const dt_parser *p, const uint16_t ports[2])
{
    if (!p->ports[0])
        return 1;
    for (int k = 0; k < 4 && p->ports[k]; k++)
        if (ports[0] == p->ports[k] || ports[1] == p->ports[k])
            return 1;
    return 0;
}

void dt_parsers_for_flow(int transport, const uint16_t ports[2], uint32_t active[2])
{
    pthread_once(&by_transport_once, by_transport_init);
    const uint32_t *any = by_transport[transport].any;
    uint32_t on[2] = {any[0], any[1]}, claim[2] = {0, 0};
    for (int k = 0; k < by_transport[transport].n_hinted; k++) {
        int id = by_transport[transport].hinted[k];
        const dt_parser *p = dt_parser_table[id];
        if (!dt_parser_ports_match(p, ports))
            continue;
        for (int d = 0; d < 2; d++) {
            if (!(p->dirs & (1 << d)))
                continue;
            on[d] |= 1u << id;
            if (p->flags & DT_PF_CLAIM)
                claim[d] |= 1u << id;
        }
    }
    int claimed = claim[0] || claim[1];
    for (int d = 0; d < 2; d++)
        active[d] = claimed ? claim[d] : on[d];
}

void dt_jw_str_array64(dt_jw *w, const char (*items)[64], int n)
{
    dt_jw_arr_begin(w);
    for (int i = 0; i < n; i++)
        dt_jw_str(w, items[i]);
    dt_jw_arr_end(w);
}
