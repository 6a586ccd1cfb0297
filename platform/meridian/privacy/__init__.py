"""What each clinic tells visitors about their data, and what it does with it.

* `settings`  the clinic's retention periods (one row, or the defaults);
* `retention` the purge that enforces them (a worker `retention_hook`);
* `notice`    the privacy notice, generated from what Meridian knows and does.

The public page is `site/privacy.py` (a cached reading page); the studio's is
`studio/privacy.py`.
"""
