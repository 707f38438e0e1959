"""The dashboard's pages, stylesheet and scripts, shipped with the package (no CDN, no web fonts)."""
