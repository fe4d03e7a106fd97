/* The HTML page frame of datatrail's pages (report/html.c): the head with its
 * Content-Security-Policy, style and script, and the one escaping function,
 * for pages other than the report (compare). */
#ifndef DT_HTML_H
#define DT_HTML_H

#include <stdint.h>
#include <stdio.h>

void dt_html_begin(FILE *o, const char *title); /* up to and with <body> */
void dt_html_end(FILE *o);                      /* the script, </body></html> */
/* s as HTML text or a quoted attribute value (see html.c). */
void dt_html_esc(FILE *o, const char *s);
/* A table cell of a byte count ("1.2 MB"), sortable by its value. */
void dt_html_td_bytes(FILE *o, uint64_t v);

#endif
