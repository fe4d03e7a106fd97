/* What an application-layer parser answers after looking at the bytes it was given. */
#ifndef DT_PARSE_H
#define DT_PARSE_H

typedef enum dt_parse_status {
    DT_PARSE_NOT_MINE = -1, /* these bytes are not this protocol: stop calling */
    DT_PARSE_MORE = 0, /* looks like it, but needs more bytes: call again with a longer prefix */
    DT_PARSE_DONE = 1, /* all that is wanted was extracted: stop calling */
} dt_parse_status;

#endif
