"""PDF documents made with reportlab: plain data in, bytes out; no request, no database."""
