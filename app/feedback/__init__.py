"""Umpan balik (issue 11): the satisfaction survey (SKM), complaints (pengaduan) and public performance pages."""
