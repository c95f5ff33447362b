// Poppler's GLib API (Debian's libpoppler-glib-dev): the text of PDF pages for `file` data sources.
#include <poppler.h>
