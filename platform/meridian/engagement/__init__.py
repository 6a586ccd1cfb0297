"""Readers who talk back: comments, likes, subscriptions and the contact form.

Light on purpose (site/ imports `engagement.queries`): the public routes register in
`engagement.routes`, the studio's moderation pages in `studio/`. None of these
endpoints is ever inside the page cache; guard.py explains how the anonymous forms on
cached pages are protected.
"""
