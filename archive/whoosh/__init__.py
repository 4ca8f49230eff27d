"""The Whoosh backend: everything that imports Whoosh lives in this package.

Callers outside it go through `archive.engine`.
"""
