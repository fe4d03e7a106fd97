/* The company an Ethernet address was assigned to: the IEEE MA-L (OUI)
 * registry, read at run time from the Debian package ieee-data
 * (/usr/share/ieee-data/oui.txt; $DATATRAIL_OUI_FILE overrides the path).
 * Optional: without the file every answer is NULL.  Indexed once, on first
 * use (the file is mapped, not copied); safe from several threads. */
#ifndef DT_OUI_H
#define DT_OUI_H

/* The vendor of "0a:1b:2c:..." (any case, ':' or '-'), or NULL: unknown, a
 * locally administered address (no vendor), or no registry. */
const char *dt_oui_vendor(const char *mac);
/* The registry file in use, or NULL when none could be read. */
const char *dt_oui_source(void);

#endif
