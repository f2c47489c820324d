"""Characters XML 1.0 forbids: they cannot be shown, nor put in a feed or a sitemap. Pages are
cleaned of them when read (ingest.pages), and every .xml output again (site.render)."""

import re

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
